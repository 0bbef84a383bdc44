namespace Berth.Engine.Containers;

/// <summary>Which stream a chunk of container output belongs to.</summary>
public enum OutputKind : byte
{
    Stdout = 1,
    Stderr = 2,
}

/// <summary>One read of container output (≤ 8 KiB), in order.</summary>
public readonly record struct OutputChunk(OutputKind Stream, ReadOnlyMemory<byte> Data);

/// <summary>
/// A live connection to a container's stdio (attach). Output must be drained: the monitor
/// blocks the container when a client stops reading, so a slow consumer is dropped instead.
/// </summary>
public interface IContainerStreams : IAsyncDisposable
{
    System.Threading.Channels.ChannelReader<OutputChunk> Output { get; }

    ValueTask WriteInputAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default);

    /// <summary>Ends the container's stdin (the client half-closed).</summary>
    void CloseInput();

    void Resize(int rows, int columns);
}

/// <summary>How a container process ended. ExitCode null: nobody saw it (its monitor died first).</summary>
public sealed record ExitInfo(int? ExitCode, bool OomKilled, DateTimeOffset FinishedAt);

/// <summary>What the daemon knows that the runtime needs to start a container.</summary>
/// <param name="CgroupParent">The daemon's --cgroup-parent; the container's cgroup is &lt;parent&gt;/&lt;id&gt;.</param>
public sealed record RuntimeStartContext(ContainerRecord Container, string CgroupParent)
{
    /// <summary>Binds, volumes and tmpfs mounts with their host sources resolved.</summary>
    public IReadOnlyList<Mounts.RuntimeMount> Mounts { get; init; } = [];
}

/// <summary>Result of finding a container's monitor again at daemon start-up.</summary>
public sealed record RecoveredContainer(MonitorHandle Handle, bool Running, ExitInfo? Exit);

/// <summary>
/// The container service's view of the runtime layer (bundle + rootfs + monitor + OCI runtime).
/// Implemented in Berth.Runtime; the engine never sees conmon or runc.
/// </summary>
public interface IContainerRuntime
{
    /// <summary>The OCI runtime's name ("runc"), shown as HostConfig.Runtime.</summary>
    string Name { get; }

    /// <summary>
    /// Mounts the rootfs, writes the bundle and has the monitor run `runtime create`. The
    /// container exists (not started) when this returns. On failure nothing is left mounted.
    /// </summary>
    Task<MonitorHandle> CreateAsync(RuntimeStartContext context, CancellationToken cancellationToken = default);

    /// <summary>Connects to the container's stdio; before StartAsync it sees every byte.</summary>
    Task<IContainerStreams> AttachAsync(MonitorHandle handle, string id, CancellationToken cancellationToken = default);

    /// <summary>`runtime start`, with the runtime the handle names.</summary>
    Task StartAsync(MonitorHandle handle, string id, CancellationToken cancellationToken = default);

    Task<ExitInfo> WaitForExitAsync(MonitorHandle handle, string id, CancellationToken cancellationToken = default);

    /// <summary>Sends a signal to the container's init process, through the runtime the handle names (null: the default).</summary>
    Task KillAsync(MonitorHandle? handle, string id, int signal, CancellationToken cancellationToken = default);

    /// <summary>
    /// After exit (or a failed create): the rootfs is unmounted when this returns; runtime delete,
    /// monitor files, cgroups and the bundle go in the background (<see cref="WhenCleanedAsync"/>),
    /// off the path of "die", wait and removal. Idempotent.
    /// </summary>
    Task CleanupAsync(MonitorHandle? handle, string id, CancellationToken cancellationToken = default);

    /// <summary>Completes when the background part of the last cleanup of <paramref name="id"/> is done; faults as it did.</summary>
    Task WhenCleanedAsync(string id);

    /// <summary>Every background cleanup still running (shutdown waits for them); never faults.</summary>
    Task WhenAllCleanedAsync();

    /// <summary>Finds the monitor of a container that was running when the daemon stopped (files only).</summary>
    Task<RecoveredContainer> RecoverAsync(MonitorHandle handle, string id, CancellationToken cancellationToken = default);

    /// <summary>
    /// Start-up: removes monitors, runtime containers, mounts, bundles, exit files and cgroups of
    /// every container not in <paramref name="keep"/> (containers with a live monitor); cgroups
    /// are looked for under <paramref name="cgroupParent"/>. Returns what it removed, for the log.
    /// </summary>
    Task<IReadOnlyList<string>> RemoveLeftoversAsync(IReadOnlySet<string> keep, string cgroupParent, CancellationToken cancellationToken = default);
    /// <summary>Sets the terminal size of a running TTY container.</summary>
    void Resize(MonitorHandle handle, string id, int rows, int columns);

    /// <summary>Runtime error text of a failed create/start → dockerd's exit code (127, 126) or null.</summary>
    int? ExitCodeForStartError(Exception error, string command);
}
