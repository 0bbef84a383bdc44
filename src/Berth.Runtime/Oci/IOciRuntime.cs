namespace Berth.Runtime.Oci;

/// <summary>Status values the OCI runtime reports (`runc state`).</summary>
public enum OciStatus
{
    Unknown = 0,
    Creating,
    Created,
    Running,
    Paused,
    Stopped,
}

/// <summary>One container as the runtime sees it.</summary>
public sealed record OciState(string Id, OciStatus Status, int Pid, string Bundle);

/// <summary>
/// An OCI runtime CLI (runc, crun). Every call uses the runtime's private state dir
/// (<see cref="Root"/>), never /run/runc, so other engines on the host are not touched.
/// Failures surface as DaemonException: NotFound for an unknown id, Conflict for a
/// container in the wrong state, System otherwise.
/// </summary>
public interface IOciRuntime
{
    /// <summary>Name users select it by ("runc").</summary>
    string Name { get; }

    /// <summary>Absolute path of what is executed (conmon requires one): the binary, or the launcher that runs it.</summary>
    string Path { get; }

    /// <summary>The runtime's state dir: &lt;exec-root&gt;/runtime/&lt;name&gt;.</summary>
    string Root { get; }

    /// <summary>Global options placed before every subcommand; conmon gets them as --runtime-arg.</summary>
    IReadOnlyList<string> GlobalArguments { get; }

    Task StartAsync(string id, CancellationToken cancellationToken = default);

    /// <summary>`start` when the caller knows the init's pid: lets the runtime skip its binary where it can.</summary>
    Task StartAsync(string id, int initPid, CancellationToken cancellationToken = default);

    /// <summary>Sends a signal (number) to the init process, or to every process with <paramref name="all"/>.</summary>
    Task KillAsync(string id, int signal, bool all = false, CancellationToken cancellationToken = default);

    /// <summary>Removes the runtime state; <paramref name="force"/> kills a running container first. Unknown ids are not an error.</summary>
    Task DeleteAsync(string id, bool force = false, CancellationToken cancellationToken = default);

    /// <summary>The state, or null when the runtime does not know the id.</summary>
    Task<OciState?> StateAsync(string id, CancellationToken cancellationToken = default);

    Task PauseAsync(string id, CancellationToken cancellationToken = default);

    Task ResumeAsync(string id, CancellationToken cancellationToken = default);

    /// <summary>Applies an OCI LinuxResources JSON object to a live container (docker update).</summary>
    Task UpdateAsync(string id, string resourcesJson, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<OciState>> ListAsync(CancellationToken cancellationToken = default);
}
