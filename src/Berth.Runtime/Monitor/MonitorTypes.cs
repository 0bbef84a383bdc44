using Berth.Engine.Errors;

namespace Berth.Runtime.Monitor;

/// <summary>How the container's stdio is set up and where its monitor lives.</summary>
public sealed record MonitorCreateOptions
{
    /// <summary>process.terminal in the bundle must match.</summary>
    public bool Tty { get; init; }

    /// <summary>Keep a stdin pipe the attach socket feeds (docker -i).</summary>
    public bool OpenStdin { get; init; }

    /// <summary>Docker's StdinOnce: the first attach that closes stdin closes it for good. False + OpenStdin → --leave-stdin-open.</summary>
    public bool StdinOnce { get; init; }

    /// <summary>k8s-file log path; null discards output that no attach client reads.</summary>
    public string? LogPath { get; init; }

    /// <summary>Absolute cgroup (e.g. "/berth/conmon") conmon is moved into before it forks; null leaves it in the caller's.</summary>
    public string? MonitorCgroup { get; init; }

    /// <summary>The bundle's linux.cgroupsPath (absolute), removed with one parent on cleanup.</summary>
    public string? ContainerCgroup { get; init; }
}

/// <summary>What the caller persists to reach a container's monitor again, also after a daemon restart.</summary>
public sealed record MonitoredContainer(
    string Id,
    string BundleDir,
    string StateDir,
    int Pid,
    int ConmonPid,
    string? ContainerCgroup = null,
    string? MonitorCgroup = null);

/// <summary>How a container ended. <see cref="ExitCode"/> is null when nobody saw it (orphaned: monitor died first).</summary>
public sealed record ContainerExit(int? ExitCode, bool OomKilled, DateTimeOffset FinishedAt);

public enum ReattachStatus
{
    /// <summary>conmon is alive and still watching the container.</summary>
    Running,

    /// <summary>The container exited (while no daemon ran); <see cref="ReattachResult.Exit"/> holds the code.</summary>
    Exited,

    /// <summary>Neither a monitor nor an exit file: the container was killed and deleted, exit code unknown.</summary>
    Orphaned,
}

public sealed record ReattachResult(ReattachStatus Status, MonitoredContainer Container, ContainerExit? Exit);

/// <summary>An exec session's process; <see cref="ProcessJson"/> is a full OCI "process" object (args, env, user, caps...).</summary>
public sealed record ExecOptions
{
    public required string ProcessJson { get; init; }

    /// <summary>Must match "terminal" in <see cref="ProcessJson"/>.</summary>
    public bool Tty { get; init; }

    public bool OpenStdin { get; init; }

    /// <summary>Attached: output only through <see cref="ExecSession.Attachment"/>. Detached: output to <see cref="LogPath"/> (or nowhere).</summary>
    public bool Attach { get; init; }

    public string? LogPath { get; init; }

    /// <summary>What conmon runs instead of the container's runtime (berth-exec), with the plan already in the session dir.</summary>
    public string? RuntimePath { get; init; }
}

/// <summary>
/// The runtime refused to create the container (or start an exec process); <see cref="RuntimeMessage"/> is its stderr.
/// dockerd turns "executable file not found"/"no such file or directory" into exit code 127
/// and "permission denied" into 126: <see cref="ExecFailure"/> says which applies.
/// </summary>
public sealed class RuntimeCreateException : DaemonException
{
    public RuntimeCreateException(string runtimeMessage, bool exec = false)
        : base(Classify(runtimeMessage) == ExecFailureKind.None ? ErrorKind.System : ErrorKind.InvalidParameter,
            exec ? Messages.ExecFailed(runtimeMessage) : Messages.RuntimeCreateFailed(runtimeMessage))
    {
        RuntimeMessage = runtimeMessage;
        ExecFailure = Classify(runtimeMessage);
    }

    public string RuntimeMessage { get; }

    public ExecFailureKind ExecFailure { get; }

    public static ExecFailureKind Classify(string message) =>
        message.Contains("executable file not found", StringComparison.Ordinal)
        || message.Contains("no such file or directory", StringComparison.OrdinalIgnoreCase)
        || message.Contains("not found in $PATH", StringComparison.Ordinal)
            ? ExecFailureKind.NotFound
            : message.Contains("permission denied", StringComparison.OrdinalIgnoreCase)
                ? ExecFailureKind.PermissionDenied
                : ExecFailureKind.None;
}

public enum ExecFailureKind
{
    None,

    /// <summary>dockerd: exit code 127.</summary>
    NotFound,

    /// <summary>dockerd: exit code 126.</summary>
    PermissionDenied,
}
