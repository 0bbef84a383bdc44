namespace Berth.Engine.Containers.Restart;

/// <summary>What the tracker decided about one exit.</summary>
/// <param name="Restart">Start the container again after <paramref name="Delay"/>.</param>
/// <param name="Canceled">No restart because stop/kill/removal cancelled this tracker.</param>
public readonly record struct RestartDecision(bool Restart, TimeSpan Delay, bool Canceled = false)
{
    public static RestartDecision None => default;
}

/// <summary>
/// One container's restart bookkeeping between two user starts (moby
/// daemon/internal/restartmanager): the back-off delay starts at 100 ms and doubles after each
/// exit up to one minute, and falls back to 100 ms when the container had run for at least 10 s.
/// A stop or kill by the user cancels the tracker for good; the next user start gets a new one.
/// Pure logic (no timers): the scheduler waits the delay.
/// </summary>
public sealed class RestartTracker
{
    public static readonly TimeSpan InitialDelay = TimeSpan.FromMilliseconds(100);
    public static readonly TimeSpan MaxDelay = TimeSpan.FromMinutes(1);
    public static readonly TimeSpan ResetAfterRunning = TimeSpan.FromSeconds(10);

    private readonly Lock _lock = new();
    private TimeSpan _delay;
    private bool _canceled;
    private bool _pending;

    public bool Canceled
    {
        get
        {
            lock (_lock)
            {
                return _canceled;
            }
        }
    }

    /// <summary>True between a decision to restart and the end of its back-off.</summary>
    public bool Pending
    {
        get
        {
            lock (_lock)
            {
                return _pending;
            }
        }
    }

    /// <summary>The delay the last decision used (zero before the first exit).</summary>
    public TimeSpan CurrentDelay
    {
        get
        {
            lock (_lock)
            {
                return _delay;
            }
        }
    }

    /// <param name="manuallyStopped">The user stopped the container (or the daemon is shutting down): unless-stopped does not restart.</param>
    /// <param name="ran">How long the run that just ended lasted.</param>
    /// <param name="restartCount">Policy restarts since the last user start (on-failure's maximum counts these).</param>
    public RestartDecision Decide(RestartPolicySettings policy, int exitCode, bool manuallyStopped, TimeSpan ran, int restartCount)
    {
        if (RestartPolicies.IsNone(policy))
        {
            return RestartDecision.None;
        }
        lock (_lock)
        {
            if (_canceled)
            {
                return new RestartDecision(false, TimeSpan.Zero, Canceled: true);
            }
            if (_pending)
            {
                return RestartDecision.None; // an exit while a restart is pending cannot happen; never double-schedule
            }
            // The delay moves on every exit, restart or not, as in moby.
            if (ran >= ResetAfterRunning)
            {
                _delay = TimeSpan.Zero;
            }
            _delay = _delay == TimeSpan.Zero ? InitialDelay : _delay * 2;
            if (_delay > MaxDelay)
            {
                _delay = MaxDelay;
            }
            if (!WouldRestart(policy, exitCode, manuallyStopped, restartCount))
            {
                return RestartDecision.None;
            }
            _pending = true;
            return new RestartDecision(true, _delay);
        }
    }

    /// <summary>The policy's answer alone, without back-off (also used at daemon start).</summary>
    public static bool WouldRestart(RestartPolicySettings policy, int exitCode, bool manuallyStopped, int restartCount) => policy.Name switch
    {
        RestartPolicies.Always => true,
        RestartPolicies.UnlessStopped => !manuallyStopped,
        // 0 means no maximum.
        RestartPolicies.OnFailure => exitCode != 0 && (policy.MaximumRetryCount == 0 || restartCount < policy.MaximumRetryCount),
        _ => false,
    };

    /// <summary>The back-off is over (the restart is being attempted).</summary>
    public void BackoffElapsed()
    {
        lock (_lock)
        {
            _pending = false;
        }
    }

    /// <summary>moby ExitOnNext: no further restarts from this tracker. Returns whether one was pending.</summary>
    public bool Cancel()
    {
        lock (_lock)
        {
            _canceled = true;
            bool wasPending = _pending;
            _pending = false;
            return wasPending;
        }
    }
}
