namespace Berth.Engine.Exec;

/// <summary>
/// One exec instance (moby container.ExecConfig). The configuration is fixed at create; the
/// run state changes under <see cref="Lock"/>.
/// </summary>
internal sealed class ExecRecord
{
    public required string Id { get; init; }

    /// <summary>Creation order, so a container's exec ids list in the order they were made.</summary>
    public required long Sequence { get; init; }
    public required string ContainerId { get; init; }

    /// <summary>The container run it belongs to (its StartedAt at create): a restart starts a run without it.</summary>
    public required DateTimeOffset? RunStartedAt { get; init; }

    public required string Entrypoint { get; init; }
    public required IReadOnlyList<string> Arguments { get; init; }
    public required IReadOnlyList<string> Env { get; init; }
    public required string User { get; init; }
    public required string WorkingDir { get; init; }
    public required bool Tty { get; init; }
    public required bool Privileged { get; init; }
    public required bool OpenStdin { get; init; }
    public required bool OpenStdout { get; init; }
    public required bool OpenStderr { get; init; }
    public required byte[] DetachKeys { get; init; }
    public ConsoleSize? ConsoleSize { get; init; }

    public Lock Lock { get; } = new();

    public bool Running { get; set; }
    public int? ExitCode { get; set; }
    public int Pid { get; set; }
    public bool CanRemove { get; set; }
    public IExecProcess? Process { get; set; }

    /// <summary>Completed when a start was attempted (process running or start failed): resize waits for it.</summary>
    public TaskCompletionSource Started { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>"sh -c exit 5" as dockerd prints it in exec_create/exec_start actions (entrypoint, space, args).</summary>
    public string CommandLine => Entrypoint + " " + string.Join(' ', Arguments);
}
