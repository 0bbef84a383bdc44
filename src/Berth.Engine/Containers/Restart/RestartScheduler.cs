namespace Berth.Engine.Containers.Restart;

/// <summary>
/// The restart manager service: one <see cref="RestartTracker"/> per container and the pending
/// back-off timers. Cancelling (stop, kill, removal, daemon shutdown) stops a pending timer, so
/// its restart never runs; the caller settles the container's state.
/// </summary>
public sealed class RestartScheduler : IDisposable
{
    private readonly TimeProvider _time;
    private readonly Lock _lock = new();
    private readonly Dictionary<string, RestartTracker> _trackers = new(StringComparer.Ordinal);
    private readonly Dictionary<string, CancellationTokenSource> _timers = new(StringComparer.Ordinal);
    private bool _closed;

    public RestartScheduler(TimeProvider time)
    {
        _time = time;
    }

    /// <summary>The container's current tracker (created on first use, as moby's RestartManager()).</summary>
    public RestartTracker For(string id)
    {
        lock (_lock)
        {
            if (!_trackers.TryGetValue(id, out var tracker))
            {
                tracker = new RestartTracker();
                _trackers[id] = tracker;
            }
            return tracker;
        }
    }

    /// <summary>A user start: the old tracker is cancelled and a fresh one (initial back-off) takes over.</summary>
    public void Reset(string id)
    {
        lock (_lock)
        {
            StopTimer(id);
            if (_trackers.Remove(id, out var old))
            {
                old.Cancel();
            }
        }
    }

    /// <summary>moby ExitOnNext: the container is not restarted any more. True when a back-off was pending.</summary>
    public bool Cancel(string id)
    {
        lock (_lock)
        {
            StopTimer(id);
            return For(id).Cancel();
        }
    }

    /// <summary>Runs <paramref name="restart"/> after <paramref name="delay"/> unless cancelled first.</summary>
    public void Schedule(string id, TimeSpan delay, Func<Task> restart)
    {
        var cts = new CancellationTokenSource();
        RestartTracker tracker;
        lock (_lock)
        {
            tracker = For(id);
            if (_closed)
            {
                tracker.Cancel();
                cts.Dispose();
                return;
            }
            StopTimer(id);
            _timers[id] = cts;
        }
        _ = RunAsync(id, tracker, delay, restart, cts);
    }

    private async Task RunAsync(string id, RestartTracker tracker, TimeSpan delay, Func<Task> restart, CancellationTokenSource cts)
    {
        try
        {
            await Task.Delay(delay, _time, cts.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return;
        }
        lock (_lock)
        {
            if (cts.IsCancellationRequested)
            {
                return;
            }
            if (_timers.TryGetValue(id, out var current) && current == cts)
            {
                _timers.Remove(id);
            }
            cts.Dispose();
        }
        tracker.BackoffElapsed();
        await restart().ConfigureAwait(false);
    }

    /// <summary>The container was removed.</summary>
    public void Forget(string id)
    {
        lock (_lock)
        {
            StopTimer(id);
            if (_trackers.Remove(id, out var old))
            {
                old.Cancel();
            }
        }
    }

    /// <summary>Daemon shutdown: every pending restart is cancelled and no new one is scheduled. Returns their ids.</summary>
    public IReadOnlyList<string> CancelAll()
    {
        lock (_lock)
        {
            _closed = true;
            var ids = _timers.Keys.ToList();
            foreach (string id in ids)
            {
                StopTimer(id);
            }
            foreach (var tracker in _trackers.Values)
            {
                tracker.Cancel();
            }
            return ids;
        }
    }

    public int PendingCount
    {
        get
        {
            lock (_lock)
            {
                return _timers.Count;
            }
        }
    }

    public void Dispose() => CancelAll();

    private void StopTimer(string id)
    {
        if (_timers.Remove(id, out var cts))
        {
            cts.Cancel();
            cts.Dispose();
        }
    }
}
