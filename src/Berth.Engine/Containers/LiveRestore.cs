using Microsoft.Extensions.Logging;

namespace Berth.Engine.Containers;

public sealed partial class ContainerService : IDisposable
{
    /// <summary>Cancelled when the daemon leaves its containers running (--live-restore): exit watchers stop without recording anything.</summary>
    private readonly CancellationTokenSource _detach = new();

    private CancellationToken DetachToken => _detach.Token;

    /// <summary>
    /// Clean shutdown with --live-restore: containers keep running under their monitors, nothing
    /// is recorded as exited. Pending policy restarts are dropped (those containers are "exited"
    /// and their policy applies at the next start). The next daemon re-attaches from files.
    /// </summary>
    public async Task DetachAsync()
    {
        await CancelAllRestartsAsync().ConfigureAwait(false);
        var watches = Snapshot().Select(e => e.ExitWatch).OfType<Task>().ToList();
        await _detach.CancelAsync().ConfigureAwait(false);
        try
        {
            // Exit handling already under way finishes (its exit is recorded), the rest return.
            await Task.WhenAll(watches).WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
            await _runtime.WhenAllCleanedAsync().WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
        }
        LogDetached(Snapshot().Count(e => e.Record.State.Running));
    }

    public void Dispose()
    {
        _restartScheduler?.Dispose();
        _detach.Dispose();
    }

    /// <summary>
    /// Start-up, after every recorded container was looked at: runtime state (monitors, runtime
    /// containers, mounts, bundles, exit files, cgroups) that belongs to no container with a
    /// live monitor is removed (a crash between `runtime create` and the record, or a row removed
    /// while its monitor lived).
    /// </summary>
    private async Task ReconcileRuntimeLeftoversAsync(CancellationToken cancellationToken)
    {
        var live = Snapshot().Select(e => e.Record).Where(r => r.Monitor is not null).Select(r => r.Id).ToHashSet(StringComparer.Ordinal);
        try
        {
            IReadOnlyList<string> removed = await _runtime.RemoveLeftoversAsync(live, _options.CgroupParent, cancellationToken).ConfigureAwait(false);
            foreach (string what in removed)
            {
                LogLeftoverRemoved(what);
            }
        }
        catch (Exception e) when (e is Errors.DaemonException or IOException or UnauthorizedAccessException)
        {
            LogCleanupFailed("-", "runtime leftovers", e.Message);
        }
    }

    [LoggerMessage(EventId = 420, Level = LogLevel.Information, Message = "live-restore: leaving {Count} containers running")]
    private partial void LogDetached(int count);

    [LoggerMessage(EventId = 421, Level = LogLevel.Information, Message = "removed runtime leftover: {What}")]
    private partial void LogLeftoverRemoved(string what);
}
