using Berth.Engine.Containers.Restart;
using Berth.Engine.Errors;

namespace Berth.Engine.Containers;

public sealed partial class ContainerService
{
    /// <summary>
    /// Daemon start-up: every container that had a monitor is looked up again from files.
    /// A live monitor is re-watched (the container keeps running); an exit it recorded while no
    /// daemon ran is applied, so that code is never lost; a container nobody watched any more is
    /// killed by the runtime layer and recorded with <see cref="UnknownExitCode"/>. Removals that
    /// a crash interrupted are finished.
    /// </summary>
    public async Task RecoverAsync(CancellationToken cancellationToken = default)
    {
        DirectoryTrash.Sweep(ContainersDir);
        foreach (var entry in Snapshot())
        {
            ContainerRecord record = entry.Record;
            try
            {
                if (record.State.Status == ContainerStatus.Removing)
                {
                    Commit(entry, record with { State = record.State with { Status = ContainerStatus.Dead } });
                    await RemoveAsync(record.Id, force: true, removeVolumes: false, cancellationToken).ConfigureAwait(false);
                    continue;
                }
                if (record.Monitor is not { } handle)
                {
                    if (record.State.Restarting)
                    {
                        // the daemon died during a restart back-off: the policy applies again below
                        Commit(entry, record with { State = record.State.ToRestartAbandoned(_time.GetUtcNow()) });
                    }
                    else if (record.State.Running)
                    {
                        // running without a monitor handle cannot happen through Start; be safe
                        Commit(entry, record with { State = record.State.ToExited(UnknownExitCode, false, _time.GetUtcNow()) });
                    }
                    if (record.HostConfig.AutoRemove)
                    {
                        // dockerd's restore removes --rm containers that are not running (a crash
                        // between the exit and the removal, or created and never started), volumes too.
                        await RemoveAsync(record.Id, force: true, removeVolumes: true, cancellationToken).ConfigureAwait(false);
                    }
                    continue;
                }
                RecoveredContainer found = await _runtime.RecoverAsync(handle, record.Id, cancellationToken).ConfigureAwait(false);
                if (found.Running)
                {
                    record = Commit(entry, record with { Monitor = found.Handle, State = record.State with { Pid = found.Handle.Pid } });
                    if (Networking is { } networking)
                    {
                        await networking.RestoreAsync(record).ConfigureAwait(false);
                    }
                    entry.ExitWatch = WatchExitAsync(entry, found.Handle);
                    OnStarted(entry);
                    LogRecovered(record.Id, "running");
                }
                else
                {
                    await HandleExitAsync(entry, found.Handle, found.Exit ?? new ExitInfo(null, false, _time.GetUtcNow()), allowRestart: false).ConfigureAwait(false);
                    LogRecovered(record.Id, $"exited ({entry.Record.State.ExitCode})");
                }
            }
            catch (Exception e) when (e is DaemonException or IOException or UnauthorizedAccessException)
            {
                LogRecoverFailed(record.Id, e.Message);
            }
        }
        // Exits recorded above drop their runtime state in the background: the sweep must not race them.
        await _runtime.WhenAllCleanedAsync().ConfigureAwait(false);
        await ReconcileRuntimeLeftoversAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// How long a clean shutdown may take (moby daemon.shutdownTimeout): the longest stop timeout
    /// of a running container plus 5 s of grace, at least 15 s, plus the wait after SIGKILL;
    /// null (no deadline) when a container waits forever (-1).
    /// </summary>
    public TimeSpan? ShutdownDeadline()
    {
        const int MinimumSeconds = 15, GraceSeconds = 5;
        int seconds = MinimumSeconds;
        foreach (var record in Snapshot().Select(e => e.Record).Where(r => r.State.Running))
        {
            int timeout = record.Config.StopTimeout ?? _options.DefaultStopTimeoutSeconds;
            if (timeout < 0)
            {
                return null;
            }
            seconds = Math.Max(seconds, timeout + GraceSeconds);
        }
        return TimeSpan.FromSeconds(seconds) + KillWait;
    }

    /// <summary>
    /// Clean shutdown without --live-restore: stop every running container as dockerd does
    /// (each with its own stop signal and timeout, all at once), then wait for their exits to
    /// be recorded.
    /// </summary>
    public async Task ShutdownAsync(CancellationToken cancellationToken = default)
    {
        await CancelAllRestartsAsync().ConfigureAwait(false);
        var running = Snapshot().Where(e => e.Record.State.Running).ToList();
        var stops = running.Select(async e =>
        {
            try
            {
                await StopAsync(e.Record.Id, new StopOptions(null, null), cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is DaemonException or IOException or OperationCanceledException)
            {
                LogShutdownStopFailed(e.Record.Id, ex.Message);
            }
        });
        await Task.WhenAll(stops).ConfigureAwait(false);
        var watches = running.Select(e => e.ExitWatch).OfType<Task>();
        try
        {
            await Task.WhenAll(watches).WaitAsync(cancellationToken).ConfigureAwait(false);
            await _runtime.WhenAllCleanedAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // deadline: what is not recorded now is recovered from the exit files at next start,
            // and runtime state nobody dropped is swept then
        }
    }
}
