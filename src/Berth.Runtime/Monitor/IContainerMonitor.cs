using System.Threading.Channels;
using Berth.Runtime.Oci;

namespace Berth.Runtime.Monitor;

/// <summary>
/// The per-container monitor ("shim"): owns the container's stdio, log and exit status, and
/// outlives the daemon. Implemented with conmon today; an own shim could replace it.
/// </summary>
public interface IContainerMonitor
{
    IOciRuntime Runtime { get; }

    /// <summary>Spawns the monitor, which runs `runtime create`; returns once the container exists (created, not started).</summary>
    Task<MonitoredContainer> CreateAsync(string id, string bundleDir, string stateDir, MonitorCreateOptions options, CancellationToken cancellationToken = default);

    /// <summary>`runtime start`. Attach first to see the first bytes of output.</summary>
    Task StartAsync(MonitoredContainer container, CancellationToken cancellationToken = default);

    Task<IContainerAttachment> AttachAsync(MonitoredContainer container, int bufferFrames = 256, CancellationToken cancellationToken = default);

    /// <summary>Completes when the container exited; ExitCode null when its monitor died without telling.</summary>
    Task<ContainerExit> WaitForExitAsync(MonitoredContainer container, CancellationToken cancellationToken = default);

    /// <summary>The exit status from files only (no waiting), e.g. after a daemon restart; null while running.</summary>
    ContainerExit? TryReadExit(MonitoredContainer container);

    void Resize(MonitoredContainer container, int rows, int columns);

    /// <summary>Makes the monitor reopen its log file (after the daemon renamed it for rotation).</summary>
    void ReopenLog(MonitoredContainer container);

    Task<ExecSession> ExecAsync(MonitoredContainer container, string execId, ExecOptions options, CancellationToken cancellationToken = default);

    /// <summary>Finds a container's monitor again from files after a daemon restart; kills and deletes orphans.</summary>
    Task<ReattachResult> ReattachAsync(MonitoredContainer persisted, CancellationToken cancellationToken = default);

    /// <summary>After exit: `runtime delete`, the attach symlink, the exit file, the cgroup dirs the runtime leaves.</summary>
    Task CleanupAsync(MonitoredContainer container, CancellationToken cancellationToken = default);
}

/// <summary>A live attach to a container or exec session.</summary>
public interface IContainerAttachment : IAsyncDisposable
{
    ChannelReader<AttachFrame> Output { get; }

    Task Completion { get; }

    bool Dropped { get; }

    ValueTask WriteInputAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default);

    void CloseInput();

    void Resize(int rows, int columns);
}

/// <summary>A running exec process.</summary>
public sealed class ExecSession
{
    internal ExecSession(string id, int pid, IContainerAttachment? attachment, Task<int> exitCode)
    {
        Id = id;
        Pid = pid;
        Attachment = attachment;
        ExitCode = exitCode;
    }

    public string Id { get; }

    /// <summary>Host pid of the exec'd process.</summary>
    public int Pid { get; }

    /// <summary>Set for attached sessions: connected before the process started, so no output is lost.</summary>
    public IContainerAttachment? Attachment { get; }

    /// <summary>Completes with the exit code (128+signal when killed).</summary>
    public Task<int> ExitCode { get; }
}
