using Berth.Engine.Errors;

namespace Berth.Engine.Containers;

public sealed partial class ContainerService
{
    /// <summary>
    /// POST /containers/{id}/kill: any signal (default KILL). 409 when not running. After SIGKILL
    /// it waits for the exit, as dockerd does, so a following `docker ps` agrees.
    /// </summary>
    public async Task KillAsync(string reference, string? signal, CancellationToken cancellationToken = default)
    {
        Entry entry = Find(reference);
        int number = string.IsNullOrEmpty(signal) ? Signals.SIGKILL : Signals.Parse(signal);
        ContainerRecord record = entry.Record;
        if (!record.State.Running)
        {
            throw NotRunning(record.Id);
        }
        Task<WaitResult> exited = entry.NextExit.Task;
        if (!await PrepareStopSignalAsync(entry, number).ConfigureAwait(false))
        {
            return; // restarting: cancelling the pending restart is all a kill does (dockerd)
        }
        await SignalAsync(entry, number).ConfigureAwait(false);
        if (number == Signals.SIGKILL)
        {
            await WaitOrTimeoutAsync(exited, KillWait, cancellationToken).ConfigureAwait(false);
        }
    }
}
