using Berth.Engine.Containers.Restart;
using Berth.Engine.Errors;
using Microsoft.Extensions.Logging;

namespace Berth.Engine.Containers;

public sealed partial class ContainerService
{
    private RestartScheduler? _restartScheduler;

    /// <summary>Set once the daemon stops: exits are then never restarted and stops are not "manual".</summary>
    private volatile bool _shuttingDown;

    private RestartScheduler Restarts => LazyInitializer.EnsureInitialized(ref _restartScheduler, () => new RestartScheduler(_time));

    /// <summary>The restart policy's decision for an exit (moby handleContainerExit → ShouldRestart).</summary>
    private RestartDecision DecideRestart(ContainerRecord record, int exitCode, DateTimeOffset finishedAt)
    {
        if (_shuttingDown)
        {
            return RestartDecision.None;
        }
        TimeSpan ran = record.State.StartedAt is { } started ? finishedAt - started : TimeSpan.Zero;
        return Restarts.For(record.Id).Decide(record.HostConfig.RestartPolicy, exitCode, record.HasBeenManuallyStopped, ran, record.RestartCount);
    }

    /// <summary>Called by the exit handler (gate held) once the container is "restarting".</summary>
    private void ScheduleRestart(Entry entry, TimeSpan delay)
    {
        string id = entry.Record.Id;
        RestartTracker tracker = Restarts.For(id);
        LogRestartScheduled(id, (int)delay.TotalMilliseconds, entry.Record.RestartCount);
        Restarts.Schedule(id, delay, () => RestartAfterBackoffAsync(entry, tracker));
    }

    /// <summary>
    /// The back-off is over: start the container again (events: start). When the start fails the
    /// container ends "exited" with the last run's exit code and the start error, as in dockerd.
    /// </summary>
    private async Task RestartAfterBackoffAsync(Entry entry, RestartTracker tracker)
    {
        await entry.Gate.WaitAsync().ConfigureAwait(false);
        try
        {
            ContainerRecord record = entry.Record;
            if (tracker.Canceled || entry.RemovalInProgress || !record.State.Restarting)
            {
                return; // stop/kill/rm won the race; it settles the state
            }
            try
            {
                await StartLockedAsync(entry).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // StartLockedAsync recorded the error; the status must not stay "restarting".
                ContainerRecord failed = entry.Record;
                Commit(entry, failed with { State = record.State.ToRestartAbandoned(_time.GetUtcNow(), failed.State.Error) });
                LogRestartFailed(record.Id, e.Message);
            }
        }
        finally
        {
            entry.Gate.Release();
        }
    }

    /// <summary>
    /// moby killWithSignal's bookkeeping before a stop/kill signal: the restart tracker is
    /// cancelled (unless the container has its own stop signal and this is another, non-KILL
    /// one), the container is marked as stopped by the user (not during daemon shutdown), and
    /// a container waiting out its back-off becomes "exited" at once. Returns true when a
    /// process is running that still needs the signal.
    /// </summary>
    private async Task<bool> PrepareStopSignalAsync(Entry entry, int signal)
    {
        ContainerRecord record = entry.Record;
        bool exitsOnNext = string.IsNullOrEmpty(record.Config.StopSignal) || signal == Signals.SIGKILL || SafeParse(record.Config.StopSignal) == signal;
        if (exitsOnNext)
        {
            Restarts.Cancel(record.Id);
        }
        bool markManual = !_shuttingDown && !record.HasBeenManuallyStopped;
        if (markManual || record.State.Restarting)
        {
            await entry.Gate.WaitAsync().ConfigureAwait(false);
            try
            {
                record = entry.Record;
                ContainerRecord next = _shuttingDown ? record : record with { HasBeenManuallyStopped = true };
                bool settle = next.State.Restarting && Restarts.For(record.Id).Canceled;
                if (settle)
                {
                    next = next with { State = next.State.ToRestartAbandoned(_time.GetUtcNow()) };
                }
                if (next != record)
                {
                    record = Commit(entry, next);
                }
                if (settle)
                {
                    CompleteExit(entry, new WaitResult(record.State.ExitCode, null));
                }
            }
            finally
            {
                entry.Gate.Release();
            }
        }
        return record.State.Running && !record.State.Restarting;
    }

    private static int? SafeParse(string? signal)
    {
        try
        {
            return string.IsNullOrEmpty(signal) ? null : Signals.Parse(signal);
        }
        catch (DaemonException)
        {
            return null;
        }
    }

    /// <summary>
    /// Daemon shutdown: no further restarts; containers waiting out a back-off become "exited"
    /// (the next start applies their policy again, as dockerd does).
    /// </summary>
    private async Task CancelAllRestartsAsync()
    {
        _shuttingDown = true;
        Restarts.CancelAll();
        foreach (var entry in Snapshot().Where(e => e.Record.State.Restarting))
        {
            await entry.Gate.WaitAsync().ConfigureAwait(false);
            try
            {
                if (entry.Record.State.Restarting)
                {
                    ContainerRecord record = Commit(entry, entry.Record with { State = entry.Record.State.ToRestartAbandoned(_time.GetUtcNow()) });
                    CompleteExit(entry, new WaitResult(record.State.ExitCode, null));
                }
            }
            finally
            {
                entry.Gate.Release();
            }
        }
    }

    /// <summary>
    /// Daemon start (after recovery and, with networking, after the networks are back): start
    /// the containers whose policy says so — always; unless-stopped unless the user stopped it;
    /// on-failure after a non-zero exit below the maximum — if they ever ran (moby restore).
    /// They start like a user start: RestartCount back to 0.
    /// </summary>
    public async Task StartByPolicyAsync(CancellationToken cancellationToken = default)
    {
        var due = Snapshot().Select(e => e.Record).Where(r =>
            r.State.Status == ContainerStatus.Exited && r.State.StartedAt is not null
            && RestartTracker.WouldRestart(r.HostConfig.RestartPolicy, r.State.ExitCode, r.HasBeenManuallyStopped, r.RestartCount)).ToList();
        // A few at a time: each start spawns conmon and runc.
        await Parallel.ForEachAsync(due, new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = cancellationToken }, async (record, ct) =>
        {
            try
            {
                await StartAsync(record.Id, ct).ConfigureAwait(false);
                LogStartedByPolicy(record.Id, record.HostConfig.RestartPolicy.Name);
            }
            catch (Exception e) when (e is DaemonException or IOException)
            {
                LogRestartFailed(record.Id, e.Message);
            }
        }).ConfigureAwait(false);
    }

    [LoggerMessage(EventId = 410, Level = LogLevel.Information, Message = "container {Id}: restarting by policy in {DelayMs} ms (restart count {Count})")]
    private partial void LogRestartScheduled(string id, int delayMs, int count);

    [LoggerMessage(EventId = 411, Level = LogLevel.Warning, Message = "container {Id}: restart failed: {Reason}")]
    private partial void LogRestartFailed(string id, string reason);

    [LoggerMessage(EventId = 412, Level = LogLevel.Information, Message = "container {Id}: started at daemon start (restart policy {Policy})")]
    private partial void LogStartedByPolicy(string id, string policy);
}
