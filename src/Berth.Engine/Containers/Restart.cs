namespace Berth.Engine.Containers;

public sealed partial class ContainerService
{
    /// <summary>POST /containers/{id}/restart: stop when running (same rules as stop), start, event "restart".</summary>
    public async Task RestartAsync(string reference, StopOptions options, CancellationToken cancellationToken = default)
    {
        Entry entry = Find(reference);
        if (entry.Record.State.Running)
        {
            await StopAsync(entry.Record.Id, options, cancellationToken).ConfigureAwait(false);
        }
        await StartAsync(entry.Record.Id, cancellationToken).ConfigureAwait(false);
        Publish(entry.Record, "restart");
    }
}
