using System.Text.Json.Serialization;
using Berth.Engine.Errors;

namespace Berth.Engine.Containers;

/// <summary>dockerd's container states (container.State.StateString()).</summary>
public enum ContainerStatus
{
    Created,
    Running,
    Paused,
    Restarting,
    Removing,
    Exited,
    Dead,
}

/// <summary>
/// moby container.State as inspect shows it. Immutable: every transition returns a new value,
/// which the service persists before it publishes it, so a reader never sees a state the
/// database does not hold.
/// </summary>
public sealed record ContainerState
{
    public ContainerStatus Status { get; init; } = ContainerStatus.Created;
    public bool OOMKilled { get; init; }
    public int Pid { get; init; }
    public int ExitCode { get; init; }
    public string Error { get; init; } = "";
    public DateTimeOffset? StartedAt { get; init; }
    public DateTimeOffset? FinishedAt { get; init; }
    /// <summary>Set once a health check ran (or starts) for the container; null without one.</summary>
    public HealthState? Health { get; init; }

    [JsonIgnore] public bool Running => Status is ContainerStatus.Running or ContainerStatus.Paused or ContainerStatus.Restarting;
    [JsonIgnore] public bool Paused => Status == ContainerStatus.Paused;
    [JsonIgnore] public bool Restarting => Status == ContainerStatus.Restarting;
    [JsonIgnore] public bool Dead => Status == ContainerStatus.Dead;

    public static string StatusText(ContainerStatus status) => status switch
    {
        ContainerStatus.Created => "created",
        ContainerStatus.Running => "running",
        ContainerStatus.Paused => "paused",
        ContainerStatus.Restarting => "restarting",
        ContainerStatus.Removing => "removing",
        ContainerStatus.Exited => "exited",
        _ => "dead",
    };

    public static bool TryParseStatus(string text, out ContainerStatus status)
    {
        foreach (ContainerStatus s in Enum.GetValues<ContainerStatus>())
        {
            if (StatusText(s) == text)
            {
                status = s;
                return true;
            }
        }
        status = default;
        return false;
    }

    /// <summary>created/exited → running. A paused or running container cannot start again.</summary>
    public ContainerState ToRunning(int pid, DateTimeOffset now) => Status switch
    {
        ContainerStatus.Created or ContainerStatus.Exited or ContainerStatus.Restarting =>
            this with { Status = ContainerStatus.Running, Pid = pid, ExitCode = 0, Error = "", OOMKilled = false, StartedAt = now, FinishedAt = FinishedAt },
        _ => throw new InvalidOperationException($"cannot start a {StatusText(Status)} container"),
    };

    /// <summary>running → exited with the monitor's code.</summary>
    public ContainerState ToExited(int exitCode, bool oomKilled, DateTimeOffset finishedAt) =>
        this with
        {
            Status = ContainerStatus.Exited, Pid = 0, ExitCode = exitCode, OOMKilled = oomKilled, FinishedAt = finishedAt,
            // dockerd marks the health unhealthy when its monitor stops with the container.
            Health = Health is null ? null : Health with { Status = HealthState.Unhealthy },
        };

    /// <summary>
    /// A start that failed before the process ran: dockerd keeps the status (created stays
    /// created), records the error and an exit code (127/126 from the runtime error, else 128).
    /// </summary>
    public ContainerState ToStartFailed(int exitCode, string error) =>
        this with { Pid = 0, ExitCode = exitCode, Error = error };

    public ContainerState ToRemoving() => Status is ContainerStatus.Running or ContainerStatus.Paused
        ? throw DaemonException.Conflict("cannot remove a running container")
        : this with { Status = ContainerStatus.Removing };

    public ContainerState ToDead() => this with { Status = ContainerStatus.Dead, Pid = 0 };
}
