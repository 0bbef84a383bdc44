using Berth.Engine.Errors;

namespace Berth.Engine.Containers;

public sealed partial class ContainerService
{
    /// <summary>dockerd's exit code for a start that failed for any other reason.</summary>
    public const int StartFailedExitCode = 128;

    public async Task<bool> StartAsync(string reference, CancellationToken cancellationToken = default)
    {
        Entry entry = Find(reference);
        bool autoRemove = false;
        await entry.Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ContainerRecord record = entry.Record;
            if (entry.RemovalInProgress || record.State.Status is ContainerStatus.Removing or ContainerStatus.Dead)
            {
                throw DaemonException.Conflict(Messages.CannotStartRemoving(record.Id));
            }
            if (record.State.Paused)
            {
                throw DaemonException.Conflict(Messages.CannotStartPaused);
            }
            if (record.State.Running)
            {
                return false;
            }
            try
            {
                // A user start resets the restart policy's bookkeeping (moby ResetRestartManager).
                Restarts.Reset(record.Id);
                if (record.RestartCount != 0 || record.HasBeenManuallyStopped)
                {
                    Commit(entry, record with { RestartCount = 0, HasBeenManuallyStopped = false });
                }
                await StartLockedAsync(entry).ConfigureAwait(false);
            }
            catch
            {
                autoRemove = entry.Record.HostConfig.AutoRemove;
                throw;
            }
            return true;
        }
        finally
        {
            entry.Gate.Release();
            if (autoRemove)
            {
                // dockerd removes an AutoRemove container whose start failed (daemon/start.go).
                _ = RemoveQuietlyAsync(entry.Record.Id);
            }
        }
    }

    /// <summary>
    /// Runtime create (monitor + bundle + rootfs), attach the waiting clients, runtime start,
    /// then record running. Caller holds the gate. A failure keeps the status (created stays
    /// created, as in dockerd) with the error and an exit code, and leaves nothing behind.
    /// </summary>
    private async Task StartLockedAsync(Entry entry)
    {
        ContainerRecord record = entry.Record;
        MonitorHandle? handle = null;
        List<PendingStreams> attaches;
        lock (_lock)
        {
            attaches = [.. entry.PendingAttaches];
            entry.PendingAttaches.Clear();
        }
        bool mounted = false;
        bool networkAttached = false;
        try
        {
            IReadOnlyList<Mounts.RuntimeMount> mounts = await Mounts.MountAsync(record).ConfigureAwait(false);
            mounted = true;
            if (Networking is { } networking)
            {
                // Namespace and addresses first: the runtime joins that namespace, and interfaces
                // are configured while it creates the container (Ready is awaited before start).
                var network = await networking.AttachAsync(record, NetworkPeerNamespace(record)).ConfigureAwait(false);
                networkAttached = true;
                record = record with { NetworkSettings = network.Settings };
                ContainerFiles.WriteHosts(record);
                handle = await _runtime.CreateAsync(new RuntimeStartContext(record, _options.CgroupParent) { Mounts = mounts }).ConfigureAwait(false);
                await network.Ready.ConfigureAwait(false);
            }
            else
            {
                handle = await _runtime.CreateAsync(new RuntimeStartContext(record, _options.CgroupParent) { Mounts = mounts }).ConfigureAwait(false);
            }
            foreach (var pending in attaches)
            {
                await pending.ConnectAsync(await _runtime.AttachAsync(handle, record.Id).ConfigureAwait(false)).ConfigureAwait(false);
            }
            await _runtime.StartAsync(handle, record.Id).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            int code = _runtime.ExitCodeForStartError(e, record.Path) ?? StartFailedExitCode;
            LogStartFailed(record.Id, e.Message);
            foreach (var pending in attaches)
            {
                pending.Fail();
            }
            try
            {
                await _runtime.CleanupAsync(handle, record.Id).ConfigureAwait(false);
            }
            catch (Exception cleanup) when (cleanup is DaemonException or IOException)
            {
                LogCleanupFailed(record.Id, "failed start", cleanup.Message);
            }
            if (networkAttached && Networking is { } networking)
            {
                await networking.ReleaseAsync(record).ConfigureAwait(false);
                record = record with { NetworkSettings = networking.Released(record.NetworkSettings) };
                ContainerFiles.WriteHosts(record);
            }
            if (mounted)
            {
                await Mounts.UnmountAsync(record).ConfigureAwait(false);
            }
            Commit(entry, record with { State = record.State.ToStartFailed(code, e.Message), Monitor = null });
            // Waiters get the code without an error: the start request already reports it (the CLI
            // would print it twice).
            CompleteExit(entry, new WaitResult(code, null));
            // 126/127 are the user's mistake (400); anything else is the daemon's (500).
            throw code is 126 or 127 && DaemonException.KindOf(e) != ErrorKind.InvalidParameter
                ? new DaemonException(ErrorKind.InvalidParameter, e.Message, e)
                : e;
        }
        record = Commit(entry, record with { State = record.State.ToRunning(handle.Pid, _time.GetUtcNow()), Monitor = handle });
        Publish(record, "start");
        entry.ExitWatch = WatchExitAsync(entry, handle);
        OnStarted(entry);
    }

    /// <summary>Releases next-exit/not-running waiters with this run's result and arms the next run's.</summary>
    private static void CompleteExit(Entry entry, WaitResult result)
    {
        var done = entry.NextExit;
        entry.NextExit = Entry.NewWaiter();
        done.TrySetResult(result);
    }

    private async Task RemoveQuietlyAsync(string id)
    {
        try
        {
            await RemoveAsync(id, force: true, removeVolumes: true).ConfigureAwait(false);
        }
        catch (DaemonException e) when (e.Kind is ErrorKind.NotFound or ErrorKind.Conflict)
        {
            // already gone, or someone else is removing it
        }
        catch (Exception e) when (e is DaemonException or IOException)
        {
            LogCleanupFailed(id, "auto-remove", e.Message);
        }
    }
}
