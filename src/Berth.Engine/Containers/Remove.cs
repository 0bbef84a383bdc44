using Berth.Engine.Errors;

namespace Berth.Engine.Containers;

public sealed partial class ContainerService
{
    /// <summary>
    /// DELETE /containers/{id}: 409 for a running container unless forced (SIGKILL and wait
    /// first). Then runtime leftovers, the read-write layer, the container dir, the row and
    /// the name; "destroy"; removed-waiters get the last exit code. A removal that fails half
    /// way leaves the container "dead", as dockerd does.
    /// </summary>
    public async Task RemoveAsync(string reference, bool force, bool removeVolumes, CancellationToken cancellationToken = default)
    {
        Entry entry = Find(reference);
        if (entry.Record.State.Running)
        {
            if (!force)
            {
                throw DaemonException.Conflict(Messages.RemoveRunningContainer(entry.Record.Id));
            }
            if (entry.RemovalInProgress)
            {
                throw DaemonException.Conflict(Messages.RemovalInProgress(entry.Record.Id));
            }
            Task<WaitResult> exited = entry.NextExit.Task;
            if (await PrepareStopSignalAsync(entry, Signals.SIGKILL).ConfigureAwait(false))
            {
                await SignalAsync(entry, Signals.SIGKILL).ConfigureAwait(false);
                await WaitOrTimeoutAsync(exited, KillWait, cancellationToken).ConfigureAwait(false);
            }
        }
        await entry.Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        ContainerRecord record;
        try
        {
            record = entry.Record;
            if (entry.RemovalInProgress)
            {
                throw DaemonException.Conflict(Messages.RemovalInProgress(record.Id));
            }
            if (record.State.Running)
            {
                throw DaemonException.Conflict(Messages.RemoveRunningContainer(record.Id));
            }
            entry.RemovalInProgress = true;
            record = Commit(entry, record with { State = record.State.ToRemoving() });
            try
            {
                if (record.Monitor is not null)
                {
                    await _runtime.CleanupAsync(record.Monitor, record.Id, cancellationToken).ConfigureAwait(false);
                    await _runtime.WhenCleanedAsync(record.Id).ConfigureAwait(false);
                }
                if (Networking is { } networking)
                {
                    // Normally released at exit already; this covers a crash in between (idempotent).
                    await networking.ReleaseAsync(record).ConfigureAwait(false);
                }
                _layers.RemoveReadWrite(record.Id);
                DirectoryTrash.MoveAsideAndDelete(record.ContainerDir);
                _store.Delete(record.Id);
            }
            catch (Exception e) when (e is DaemonException or IOException or UnauthorizedAccessException)
            {
                entry.RemovalInProgress = false;
                Commit(entry, record with { State = record.State.ToDead() });
                throw DaemonException.System($"unable to remove container {record.Id}: {e.Message}", e);
            }
            _names.Unregister(record.Id);
            Restarts.Forget(record.Id);
            List<PendingStreams> attaches;
            lock (_lock)
            {
                _entries.Remove(record.Id);
                attaches = [.. entry.PendingAttaches];
                entry.PendingAttaches.Clear();
            }
            foreach (var pending in attaches)
            {
                pending.Fail();
            }
        }
        finally
        {
            entry.Gate.Release();
        }
        // dockerd releases the volumes after the container is gone; rm -v and --rm also remove its anonymous ones.
        await Mounts.ReleaseAsync(record.MountPoints, record.Id, removeVolumes).ConfigureAwait(false);
        // The runtime's own state of the last exit (runtime delete, cgroups, bundle) may still be
        // going away in the background: nothing the API shows depends on it, the id is never
        // reused, and start-up and shutdown wait for it or sweep it.
        Publish(record, "destroy");
        entry.Removed.TrySetResult(new WaitResult(record.State.ExitCode, null));
    }
}
