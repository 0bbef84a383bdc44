namespace Berth.Engine.Containers.Restart;

/// <summary>The "restarting" transitions (moby container.State.SetRestarting / SetStopped).</summary>
public static class ContainerStateRestart
{
    /// <summary>
    /// running → restarting: the run's exit code and finish time are recorded, the pid cleared;
    /// the container still counts as running (stop, rm and start treat it so), as in dockerd.
    /// </summary>
    public static ContainerState ToRestarting(this ContainerState state, int exitCode, bool oomKilled, DateTimeOffset finishedAt) =>
        state with { Status = ContainerStatus.Restarting, Pid = 0, ExitCode = exitCode, OOMKilled = oomKilled, FinishedAt = finishedAt };

    /// <summary>restarting → exited: the restart was cancelled or failed; the last run's exit code stays.</summary>
    public static ContainerState ToRestartAbandoned(this ContainerState state, DateTimeOffset now, string? error = null) =>
        state with { Status = ContainerStatus.Exited, Pid = 0, FinishedAt = state.FinishedAt ?? now, Error = error ?? state.Error };
}
