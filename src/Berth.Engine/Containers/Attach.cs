namespace Berth.Engine.Containers;

public sealed partial class ContainerService
{
    /// <summary>
    /// A running container: straight to its monitor. Otherwise the attach waits for the next
    /// start, which connects it between `runtime create` and `runtime start`.
    /// </summary>
    public async Task<IContainerStreams> AttachAsync(string reference, CancellationToken cancellationToken = default)
    {
        Entry entry = Find(reference);
        await entry.Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ContainerRecord record = entry.Record;
            if (record.State.Running && record.Monitor is { } handle)
            {
                return await _runtime.AttachAsync(handle, record.Id, cancellationToken).ConfigureAwait(false);
            }
            var pending = new PendingStreams(p =>
            {
                lock (_lock)
                {
                    entry.PendingAttaches.Remove(p);
                }
            });
            lock (_lock)
            {
                entry.PendingAttaches.Add(pending);
            }
            return pending;
        }
        finally
        {
            entry.Gate.Release();
        }
    }
}
