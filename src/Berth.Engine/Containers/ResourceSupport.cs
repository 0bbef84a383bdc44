namespace Berth.Engine.Containers;

/// <summary>
/// What the host's cgroups can enforce (dockerd's sysinfo.SysInfo, the resource part). The
/// runtime layer reads it from cgroupfs once; create and update validate against it and
/// answer dockerd's warnings for what is discarded.
/// </summary>
public sealed record ResourceSupport
{
    public bool MemoryLimit { get; init; }
    public bool SwapLimit { get; init; }
    public bool MemoryReservation { get; init; }
    public bool OomKillDisable { get; init; }
    public bool MemorySwappiness { get; init; }
    public bool PidsLimit { get; init; }
    public bool CpuShares { get; init; }
    public bool CpuCfs { get; init; }
    public bool Cpuset { get; init; }
    public bool BlkioWeight { get; init; }
    public bool BlkioWeightDevice { get; init; }
    public bool BlkioReadBpsDevice { get; init; }
    public bool BlkioWriteBpsDevice { get; init; }
    public bool BlkioReadIOpsDevice { get; init; }
    public bool BlkioWriteIOpsDevice { get; init; }

    /// <summary>CPUs and memory nodes a cpuset may use ("0-1"), as the root cpuset offers them.</summary>
    public string Cpus { get; init; } = "";
    public string Mems { get; init; } = "";

    /// <summary>runtime.NumCPU: the upper bound of --cpus.</summary>
    public int CpuCount { get; init; } = Environment.ProcessorCount;

    /// <summary>Every control present (unit tests, and hosts that have them all).</summary>
    public static ResourceSupport All { get; } = new()
    {
        MemoryLimit = true, SwapLimit = true, MemoryReservation = true, OomKillDisable = true, MemorySwappiness = true,
        PidsLimit = true, CpuShares = true, CpuCfs = true, Cpuset = true, BlkioWeight = true, BlkioWeightDevice = true,
        BlkioReadBpsDevice = true, BlkioWriteBpsDevice = true, BlkioReadIOpsDevice = true, BlkioWriteIOpsDevice = true,
        Cpus = "0-1", Mems = "0", CpuCount = 2,
    };

    /// <summary>Nothing enforceable (no cgroup controllers found).</summary>
    public static ResourceSupport None { get; } = new();
}
