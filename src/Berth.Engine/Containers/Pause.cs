using Berth.Engine.Errors;

namespace Berth.Engine.Containers;

public sealed partial class ContainerService
{
    /// <summary>POST /containers/{id}/pause (moby containerPause): freeze, state paused, health monitor off, "pause".</summary>
    public async Task PauseAsync(string reference, CancellationToken cancellationToken = default)
    {
        Entry entry = Find(reference);
        await entry.Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ContainerRecord record = entry.Record;
            if (!record.State.Running)
            {
                throw NotRunning(record.Id);
            }
            if (record.State.Paused)
            {
                throw DaemonException.Conflict(Messages.ContainerAlreadyPaused(record.Id));
            }
            if (record.State.Restarting)
            {
                throw DaemonException.Conflict(Messages.ContainerRestarting(record.Id));
            }
            try
            {
                await Operations.SetFrozenAsync(record, frozen: true, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is DaemonException or IOException)
            {
                throw DaemonException.System(Messages.CannotPause(record.Id, e.Message), e);
            }
            StopHealth(entry, markUnhealthy: true);
            record = entry.Record;
            record = Commit(entry, record with { State = record.State with { Status = ContainerStatus.Paused } });
            Publish(record, "pause");
        }
        finally
        {
            entry.Gate.Release();
        }
    }

    /// <summary>POST /containers/{id}/unpause (moby containerUnpause): thaw, state running, health monitor on, "unpause".</summary>
    public async Task UnpauseAsync(string reference, CancellationToken cancellationToken = default)
    {
        Entry entry = Find(reference);
        await entry.Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ContainerRecord record = entry.Record;
            if (!record.State.Paused)
            {
                // dockerd answers this one with a plain error (500), not a conflict.
                throw DaemonException.System(Messages.ContainerNotPaused(record.Id));
            }
            try
            {
                await Operations.SetFrozenAsync(record, frozen: false, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is DaemonException or IOException)
            {
                throw DaemonException.System(Messages.CannotUnpause(record.Id, e.Message), e);
            }
            record = Commit(entry, record with { State = record.State with { Status = ContainerStatus.Running } });
            StartHealth(entry, reset: false);
            Publish(entry.Record, "unpause");
        }
        finally
        {
            entry.Gate.Release();
        }
    }
}
