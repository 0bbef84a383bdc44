using Berth.Engine.Containers;

namespace Berth.Runtime.Cgroups;

/// <summary>
/// One container cgroup hierarchy layout (v1: one tree per controller; v2: the unified tree).
/// Cgroup paths are absolute within the hierarchy ("/berth/&lt;id&gt;"), as the OCI
/// cgroupsPath names them.
/// </summary>
public interface ICgroupManager
{
    /// <summary>1 or 2.</summary>
    int Version { get; }

    /// <summary>What this host enforces (dockerd's sysinfo), read from the hierarchy.</summary>
    ResourceSupport ReadSupport();

    /// <summary>Writes the set values; the first write the kernel refuses ends it with an error naming the file.</summary>
    void Apply(string cgroup, CgroupResources resources);

    /// <summary>Fills the cgroup part of a sample (cpu, memory, pids, blkio); false when the cgroup is gone.</summary>
    bool ReadStats(string cgroup, StatsSample sample, Span<byte> buffer);

    /// <summary>Pids of the processes in the cgroup.</summary>
    IReadOnlyList<int> Pids(string cgroup);

    /// <summary>Freezes or thaws the cgroup and waits until the kernel reports it done.</summary>
    Task SetFrozenAsync(string cgroup, bool frozen, CancellationToken cancellationToken = default);

    /// <summary>The memory cgroup's oom_kill counter; null when the kernel has none or the cgroup is gone.</summary>
    long? OomKillCount(string cgroup);
}
