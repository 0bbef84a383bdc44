using Berth.Engine.Containers.Restart;
using Berth.Engine.Errors;

namespace Berth.Engine.Containers;

public sealed partial class ContainerService
{
    /// <summary>
    /// The exit code recorded when nobody saw the process end (its monitor died first). dockerd
    /// uses 255 when containerd no longer knows the task (libcontainerd DeleteTask).
    /// </summary>
    public const int UnknownExitCode = 255;

    private async Task WatchExitAsync(Entry entry, MonitorHandle handle)
    {
        ExitInfo exit;
        try
        {
            exit = await _runtime.WaitForExitAsync(handle, entry.Record.Id, DetachToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return; // daemon shutting down with --live-restore: the next start re-attaches
        }
        catch (Exception e) when (e is DaemonException or IOException)
        {
            LogExitWatchFailed(entry.Record.Id, e.Message);
            exit = new ExitInfo(null, false, _time.GetUtcNow());
        }
        await HandleExitAsync(entry, handle, exit).ConfigureAwait(false);
    }

    /// <summary>
    /// running → exited (or restarting, when the restart policy says so): clean up the runtime
    /// side (runtime delete, monitor files, cgroup, rootfs), record the code, publish oom/die,
    /// release waiters, then --rm or the delayed restart.
    /// </summary>
    /// <param name="allowRestart">False at daemon start-up: policies are applied there afterwards, as a fresh start.</param>
    private async Task HandleExitAsync(Entry entry, MonitorHandle handle, ExitInfo exit, bool allowRestart = true)
    {
        bool autoRemove;
        await entry.Gate.WaitAsync().ConfigureAwait(false);
        try
        {
            ContainerRecord record = entry.Record;
            if (record.Monitor is null || record.Monitor.ConmonPid != handle.ConmonPid)
            {
                return; // a later run owns the container now
            }
            await StopProbesAsync(entry).ConfigureAwait(false);
            try
            {
                await _runtime.CleanupAsync(handle, record.Id).ConfigureAwait(false);
                _ = ReportCleanupFailureAsync(record.Id);
            }
            catch (Exception e) when (e is DaemonException or IOException)
            {
                LogCleanupFailed(record.Id, "exit", e.Message);
            }
            await Mounts.UnmountAsync(record).ConfigureAwait(false);
            int code = exit.ExitCode ?? UnknownExitCode;
            var networkSettings = record.NetworkSettings;
            if (Networking is { } networking)
            {
                // dockerd releases endpoints on stop (network disconnect events precede "die");
                // a restart allocates them again.
                await networking.ReleaseAsync(record).ConfigureAwait(false);
                networkSettings = networking.Released(networkSettings);
            }
            bool oomReported = record.State.OOMKilled; // the OOM watch already published "oom" for this run
            bool oomKilled = exit.OomKilled || oomReported;
            var restart = allowRestart ? DecideRestart(record, code, exit.FinishedAt) : default;
            autoRemove = !restart.Restart && record.HostConfig.AutoRemove && !entry.RemovalInProgress;
            ContainerRecord next = restart.Restart
                ? record with { State = record.State.ToRestarting(code, oomKilled, exit.FinishedAt), Monitor = null, RestartCount = record.RestartCount + 1, NetworkSettings = networkSettings }
                : record with { State = record.State.ToExited(code, oomKilled, exit.FinishedAt), Monitor = null, NetworkSettings = networkSettings };
            // An auto-removed container's exit is not written: its removal follows at once and is
            // written itself. A crash in between leaves the stored record running with its monitor
            // gone, which start-up recovery turns into an exit and then removes (--rm), as before.
            record = autoRemove ? Remember(entry, next) : Commit(entry, next);
            OnExited(entry);
            if (oomKilled && !oomReported)
            {
                Publish(record, "oom");
            }
            Publish(record, "die", new Dictionary<string, string>
            {
                ["exitCode"] = code.ToString(System.Globalization.CultureInfo.InvariantCulture),
            });
            CompleteExit(entry, new WaitResult(code, null));
            if (restart.Restart)
            {
                ScheduleRestart(entry, restart.Delay);
            }
        }
        finally
        {
            entry.Gate.Release();
        }
        if (autoRemove)
        {
            await RemoveQuietlyAsync(entry.Record.Id).ConfigureAwait(false);
        }
    }

    /// <summary>Logs a failure of the background part of an exit's cleanup.</summary>
    private async Task ReportCleanupFailureAsync(string id)
    {
        try
        {
            await _runtime.WhenCleanedAsync(id).ConfigureAwait(false);
        }
        catch (Exception e) when (e is DaemonException or IOException)
        {
            LogCleanupFailed(id, "exit", e.Message);
        }
    }
}
