using Berth.Engine.Containers;

namespace Berth.Runtime.Cgroups;

/// <summary>A block device and a value (weight or rate) as the cgroup files take them ("8:0 1048576").</summary>
public readonly record struct DeviceValue(long Major, long Minor, ulong Value);

/// <summary>
/// The values an update writes to a live cgroup (OCI LinuxResources semantics, what dockerd's
/// toContainerdResources hands to containerd). Null leaves a control as it is; -1 means
/// unlimited where the kernel has such a value.
/// </summary>
public sealed record CgroupResources
{
    public long? MemoryLimit { get; init; }
    public long? MemoryReservation { get; init; }

    /// <summary>Memory plus swap (v1 memsw); v2 writes the difference to memory.swap.max.</summary>
    public long? MemorySwap { get; init; }
    public ulong? Swappiness { get; init; }
    public bool? OomKillDisable { get; init; }
    public ulong? CpuShares { get; init; }
    public long? CpuQuota { get; init; }
    public ulong? CpuPeriod { get; init; }
    public string? CpusetCpus { get; init; }
    public string? CpusetMems { get; init; }
    public long? PidsLimit { get; init; }
    public ushort? BlkioWeight { get; init; }
    public IReadOnlyList<DeviceValue> WeightDevices { get; init; } = [];
    public IReadOnlyList<DeviceValue> ReadBps { get; init; } = [];
    public IReadOnlyList<DeviceValue> WriteBps { get; init; } = [];
    public IReadOnlyList<DeviceValue> ReadIops { get; init; } = [];
    public IReadOnlyList<DeviceValue> WriteIops { get; init; } = [];

    /// <summary>
    /// dockerd's toContainerdResources (what `docker update` applies): memory and reservation
    /// when set, swap when positive, CPU period/quota from NanoCPUs or the explicit values, the
    /// cpuset, pids (≤ 0: unlimited), blkio. Swappiness and the OOM killer are create-only.
    /// </summary>
    public static CgroupResources ForUpdate(HostSettings h, Func<string, (long Major, long Minor)> device)
    {
        ulong? period = null;
        long? quota = null;
        if (h.NanoCpus != 0)
        {
            period = 100_000;
            quota = h.NanoCpus * 100_000 / 1_000_000_000;
        }
        if (quota is null && h.CpuQuota != 0)
        {
            quota = h.CpuQuota;
        }
        if (period is null && h.CpuPeriod != 0)
        {
            period = (ulong)h.CpuPeriod;
        }
        return new CgroupResources
        {
            MemoryLimit = h.Memory != 0 ? h.Memory : null,
            MemoryReservation = h.MemoryReservation != 0 ? h.MemoryReservation : null,
            MemorySwap = h.MemorySwap > 0 ? h.MemorySwap : null,
            CpuShares = h.CpuShares != 0 ? (ulong)h.CpuShares : null,
            CpuPeriod = period,
            CpuQuota = quota,
            CpusetCpus = h.CpusetCpus.Length > 0 ? h.CpusetCpus : null,
            CpusetMems = h.CpusetMems.Length > 0 ? h.CpusetMems : null,
            PidsLimit = h.PidsLimit is long p ? (p <= 0 ? -1 : p) : null,
            BlkioWeight = h.BlkioWeight != 0 ? h.BlkioWeight : null,
            WeightDevices = [.. (h.BlkioWeightDevice ?? []).Select(d => Resolve(device, d.Path, d.Weight))],
            ReadBps = [.. (h.BlkioDeviceReadBps ?? []).Select(d => Resolve(device, d.Path, d.Rate))],
            WriteBps = [.. (h.BlkioDeviceWriteBps ?? []).Select(d => Resolve(device, d.Path, d.Rate))],
            ReadIops = [.. (h.BlkioDeviceReadIOps ?? []).Select(d => Resolve(device, d.Path, d.Rate))],
            WriteIops = [.. (h.BlkioDeviceWriteIOps ?? []).Select(d => Resolve(device, d.Path, d.Rate))],
        };
    }

    private static DeviceValue Resolve(Func<string, (long Major, long Minor)> device, string path, ulong value)
    {
        (long major, long minor) = device(path);
        return new DeviceValue(major, minor, value);
    }
}
