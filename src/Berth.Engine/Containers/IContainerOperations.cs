namespace Berth.Engine.Containers;

/// <summary>How one health probe ended: its exit code, its output (≤ 4 KiB, then "..."), or that it ran out of time.</summary>
public sealed record ProbeOutcome(int ExitCode, string Output, bool TimedOut = false);

/// <summary>Output of the host's ps: exit code, stdout, stderr.</summary>
public sealed record PsOutput(int ExitCode, string Stdout, string Stderr);

/// <summary>
/// The runtime-side operations on a running (or stopped) container beyond its lifecycle:
/// cgroup resources, stats, processes, freezing, probes and the flattened rootfs. Implemented in
/// Berth.Runtime on cgroupfs, /proc and the monitor; the engine sees no file paths.
/// </summary>
public interface IContainerOperations
{
    /// <summary>What the host's cgroups enforce: create and update validate against it.</summary>
    ResourceSupport Support { get; }

    /// <summary>Writes the container's resource settings to its live cgroup (docker update).</summary>
    void ApplyResources(ContainerRecord record);

    /// <summary>Fills <paramref name="sample"/> from the cgroup and /proc; false when the cgroup is gone.</summary>
    bool ReadStats(ContainerRecord record, StatsSample sample);

    /// <summary>Host pids of every process in the container's cgroup.</summary>
    IReadOnlyList<int> ListPids(ContainerRecord record);

    /// <summary>Runs the host's ps with these arguments.</summary>
    Task<PsOutput> RunPsAsync(IReadOnlyList<string> args, CancellationToken cancellationToken = default);

    /// <summary>Freezes (pause) or thaws (unpause) every process of the container; returns when the cgroup says so.</summary>
    Task SetFrozenAsync(ContainerRecord record, bool frozen, CancellationToken cancellationToken = default);

    /// <summary>OOM kills counted by the container's memory cgroup so far; null when unknown.</summary>
    long? OomKillCount(ContainerRecord record);

    /// <summary>
    /// Runs <paramref name="command"/> in the running container as its user, env and working dir
    /// (a health probe). A probe still running after <paramref name="timeout"/> is killed and
    /// reported as timed out.
    /// </summary>
    Task<ProbeOutcome> RunProbeAsync(ContainerRecord record, string execId, IReadOnlyList<string> command, TimeSpan timeout,
        CancellationToken cancellationToken = default);

    /// <summary>
    /// Writes the container's merged root filesystem as a tar stream. <paramref name="running"/>:
    /// the rootfs is mounted already; else it is mounted for the duration.
    /// </summary>
    Task ExportAsync(ContainerRecord record, bool running, Stream output, CancellationToken cancellationToken = default);
}

/// <summary>The default before the runtime wires its own: every operation is unsupported.</summary>
public sealed class NoContainerOperations : IContainerOperations
{
    public static NoContainerOperations Instance { get; } = new();

    public ResourceSupport Support => ResourceSupport.None;

    public void ApplyResources(ContainerRecord record)
    {
    }

    public bool ReadStats(ContainerRecord record, StatsSample sample) => false;

    public IReadOnlyList<int> ListPids(ContainerRecord record) => [];

    public Task<PsOutput> RunPsAsync(IReadOnlyList<string> args, CancellationToken cancellationToken = default) =>
        throw Errors.DaemonException.NotImplemented("ps is not available");

    public Task SetFrozenAsync(ContainerRecord record, bool frozen, CancellationToken cancellationToken = default) =>
        throw Errors.DaemonException.NotImplemented("freezing is not available");

    public long? OomKillCount(ContainerRecord record) => null;

    public Task<ProbeOutcome> RunProbeAsync(ContainerRecord record, string execId, IReadOnlyList<string> command, TimeSpan timeout,
        CancellationToken cancellationToken = default) => Task.FromResult(new ProbeOutcome(-1, "exec is not available"));

    public Task ExportAsync(ContainerRecord record, bool running, Stream output, CancellationToken cancellationToken = default) =>
        throw Errors.DaemonException.NotImplemented("export is not available");
}
