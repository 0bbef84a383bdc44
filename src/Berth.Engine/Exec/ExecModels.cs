using Berth.Engine.Containers;

namespace Berth.Engine.Exec;

/// <summary>POST /containers/{id}/exec (moby types.ExecConfig) after decoding.</summary>
public sealed record ExecCreateOptions
{
    public IReadOnlyList<string> Cmd { get; init; } = [];
    public IReadOnlyList<string> Env { get; init; } = [];
    public string User { get; init; } = "";
    public string WorkingDir { get; init; } = "";
    public bool Privileged { get; init; }
    public bool Tty { get; init; }
    public bool AttachStdin { get; init; }
    public bool AttachStdout { get; init; }
    public bool AttachStderr { get; init; }
    /// <summary>The parsed detach sequence ([] when none was given: dockerd's default applies on a TTY).</summary>
    public byte[] DetachKeys { get; init; } = [];
    /// <summary>The client's spec when it did not parse: refused after the container checks, as dockerd orders them.</summary>
    public string? InvalidDetachKeys { get; init; }
    /// <summary>[height, width]; null when not given (or API &lt; 1.42).</summary>
    public ConsoleSize? ConsoleSize { get; init; }
}

/// <summary>A TTY size in character cells.</summary>
public readonly record struct ConsoleSize(uint Height, uint Width);

/// <summary>POST /exec/{id}/start (moby types.ExecStartCheck).</summary>
/// <param name="ConsoleSize">Overrides the size given at create; only for a TTY.</param>
public sealed record ExecStartOptions(bool Detach, ConsoleSize? ConsoleSize = null);

/// <summary>GET /exec/{id}/json: a snapshot of one exec instance.</summary>
public sealed record ExecInspection(
    string Id,
    string ContainerId,
    bool Running,
    int? ExitCode,
    int Pid,
    bool Tty,
    string Entrypoint,
    IReadOnlyList<string> Arguments,
    bool Privileged,
    string User,
    bool OpenStdin,
    bool OpenStdout,
    bool OpenStderr,
    bool CanRemove,
    byte[] DetachKeys);

/// <summary>What the runtime needs to run one exec process in a running container.</summary>
public sealed record ExecProcessRequest
{
    public required string ExecId { get; init; }
    public required ContainerRecord Container { get; init; }
    /// <summary>Entrypoint then arguments.</summary>
    public required IReadOnlyList<string> Args { get; init; }
    /// <summary>The exec's own Env; the runtime puts it over the container's environment.</summary>
    public IReadOnlyList<string> Env { get; init; } = [];
    /// <summary>Already defaulted to the container's user; "" keeps the container process's identity.</summary>
    public string User { get; init; } = "";
    /// <summary>Already defaulted to the container's working dir; "" means "/".</summary>
    public string WorkingDir { get; init; } = "";
    public bool Tty { get; init; }
    public bool Privileged { get; init; }
    public bool OpenStdin { get; init; }
    /// <summary>Connect the process's stdio before it starts (attached start); false discards its output.</summary>
    public bool Attach { get; init; }
    public ConsoleSize? ConsoleSize { get; init; }
}

/// <summary>A started exec: attached output/input when requested, and the exit.</summary>
public sealed class ExecRun
{
    public ExecRun(string id, bool tty, bool openStdin, bool openStdout, bool openStderr, byte[] detachKeys, IContainerStreams? streams, Task completion)
    {
        Id = id;
        Tty = tty;
        OpenStdin = openStdin;
        OpenStdout = openStdout;
        OpenStderr = openStderr;
        DetachKeys = detachKeys;
        Streams = streams;
        Completion = completion;
    }

    public string Id { get; }
    /// <summary>The process has a terminal (create's Tty).</summary>
    public bool Tty { get; }
    public bool OpenStdin { get; }
    public bool OpenStdout { get; }
    public bool OpenStderr { get; }
    public byte[] DetachKeys { get; }
    /// <summary>Null for a detached start.</summary>
    public IContainerStreams? Streams { get; }
    /// <summary>Completes once the exit code is recorded (inspect shows it) and exec_die was published.</summary>
    public Task Completion { get; }
}
