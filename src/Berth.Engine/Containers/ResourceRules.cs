using Berth.Engine.Errors;

namespace Berth.Engine.Containers;

/// <summary>
/// dockerd's rules for container resources, as pure functions: verification against what the
/// host enforces (moby verifyPlatformContainerResources, which discards unsupported values with
/// a warning and rejects invalid ones), the create-time defaults (adaptContainerSettings) and
/// how an update merges into the stored settings (container.UpdateContainer).
/// </summary>
public static partial class ResourceRules
{
    /// <summary>linuxMinMemory: 6 MiB.</summary>
    public const long MinMemory = 6 * 1024 * 1024;

    private const int DefaultMaxCpus = 8192;

    /// <summary>
    /// Returns the settings with discarded values cleared; appends dockerd's warnings.
    /// <paramref name="update"/>: the values of an update request (a swap limit alone is allowed).
    /// </summary>
    /// <exception cref="DaemonException">InvalidParameter with dockerd's text.</exception>
    public static HostSettings Verify(HostSettings h, ResourceSupport s, bool update, List<string> warnings)
    {
        // fixMemorySwappiness: -1 is the API's "unset".
        if (h.MemorySwappiness == -1)
        {
            h = h with { MemorySwappiness = null };
        }
        if (h.Memory != 0 && h.Memory < MinMemory)
        {
            throw Invalid(Messages.MinimumMemory);
        }
        if (h.Memory > 0 && !s.MemoryLimit)
        {
            warnings.Add(Messages.WarnMemoryLimit);
            h = h with { Memory = 0, MemorySwap = -1 };
        }
        if (h.Memory > 0 && h.MemorySwap != -1 && !s.SwapLimit)
        {
            warnings.Add(Messages.WarnSwapLimit);
            h = h with { MemorySwap = -1 };
        }
        if (h.Memory > 0 && h.MemorySwap > 0 && h.MemorySwap < h.Memory)
        {
            throw Invalid(Messages.MemorySwapBelowMemory);
        }
        if (h.Memory == 0 && h.MemorySwap > 0 && !update)
        {
            throw Invalid(Messages.MemorySwapWithoutMemory);
        }
        if (h.MemorySwappiness is not null && !s.MemorySwappiness)
        {
            warnings.Add(Messages.WarnSwappiness);
            h = h with { MemorySwappiness = null };
        }
        if (h.MemorySwappiness is long swappiness && swappiness is < 0 or > 100)
        {
            throw Invalid(Messages.InvalidSwappiness(swappiness));
        }
        if (h.MemoryReservation > 0 && !s.MemoryReservation)
        {
            warnings.Add(Messages.WarnMemoryReservation);
            h = h with { MemoryReservation = 0 };
        }
        if (h.MemoryReservation > 0 && h.MemoryReservation < MinMemory)
        {
            throw Invalid(Messages.MinimumMemoryReservation);
        }
        if (h.Memory > 0 && h.MemoryReservation > 0 && h.Memory < h.MemoryReservation)
        {
            throw Invalid(Messages.MemoryBelowReservation);
        }
        if (h.OomKillDisable is bool disable && !s.OomKillDisable)
        {
            if (disable)
            {
                warnings.Add(Messages.WarnOomKillDisable);
            }
            h = h with { OomKillDisable = null };
        }
        if (h.OomKillDisable == true && h.Memory == 0)
        {
            warnings.Add(Messages.WarnOomKillDisableNoLimit);
        }
        if (h.PidsLimit is long pids && !s.PidsLimit)
        {
            if (pids > 0)
            {
                warnings.Add(Messages.WarnPidsLimit);
            }
            h = h with { PidsLimit = null };
        }
        h = VerifyCpu(h, s, warnings);
        h = VerifyBlkio(h, s, warnings);
        if (h.OomScoreAdj is < -1000 or > 1000)
        {
            throw Invalid(Messages.InvalidOomScoreAdj(h.OomScoreAdj));
        }
        return h;
    }

    private static HostSettings VerifyCpu(HostSettings h, ResourceSupport s, List<string> warnings)
    {
        if (h.NanoCpus > 0 && h.CpuPeriod > 0)
        {
            throw Invalid(Messages.NanoCpusAndPeriod);
        }
        if (h.NanoCpus > 0 && h.CpuQuota > 0)
        {
            throw Invalid(Messages.NanoCpusAndQuota);
        }
        if (h.NanoCpus > 0 && !s.CpuCfs)
        {
            throw Invalid(Messages.NanoCpusWithoutCfs);
        }
        if (h.NanoCpus != 0 && (h.NanoCpus < 0 || h.NanoCpus > s.CpuCount * 1_000_000_000L))
        {
            throw Invalid(Messages.CpusRange(s.CpuCount));
        }
        if (h.CpuShares > 0 && !s.CpuShares)
        {
            warnings.Add(Messages.WarnCpuShares);
            h = h with { CpuShares = 0 };
        }
        if ((h.CpuPeriod != 0 || h.CpuQuota != 0) && !s.CpuCfs)
        {
            warnings.Add(Messages.WarnCpuCfs);
            h = h with { CpuPeriod = 0, CpuQuota = 0 };
        }
        if (h.CpuPeriod != 0 && h.CpuPeriod is < 1000 or > 1_000_000)
        {
            throw Invalid(Messages.CpuPeriodRange);
        }
        if (h.CpuQuota is > 0 and < 1000)
        {
            throw Invalid(Messages.CpuQuotaMinimum);
        }
        if ((h.CpusetCpus.Length > 0 || h.CpusetMems.Length > 0) && !s.Cpuset)
        {
            warnings.Add(Messages.WarnCpuset);
            h = h with { CpusetCpus = "", CpusetMems = "" };
        }
        if (!IsListAvailable(h.CpusetCpus, s.Cpus, out string? cpuError))
        {
            throw Invalid(cpuError is null
                ? Messages.CpusUnavailable(h.CpusetCpus, s.Cpus)
                : Messages.InvalidCpusetCpus(h.CpusetCpus, cpuError));
        }
        if (!IsListAvailable(h.CpusetMems, s.Mems, out string? memError))
        {
            throw Invalid(memError is null
                ? Messages.MemsUnavailable(h.CpusetMems, s.Mems)
                : Messages.InvalidCpusetMems(h.CpusetMems, memError));
        }
        return h;
    }

    private static HostSettings VerifyBlkio(HostSettings h, ResourceSupport s, List<string> warnings)
    {
        if (h.BlkioWeight > 0 && !s.BlkioWeight)
        {
            warnings.Add(Messages.WarnBlkioWeight);
            h = h with { BlkioWeight = 0 };
        }
        if (h.BlkioWeight > 0 && h.BlkioWeight is < 10 or > 1000)
        {
            throw Invalid(Messages.BlkioWeightRange);
        }
        if (h.BlkioWeightDevice is { Count: > 0 } && !s.BlkioWeightDevice)
        {
            warnings.Add(Messages.WarnBlkioWeightDevice);
            h = h with { BlkioWeightDevice = [] };
        }
        if (h.BlkioDeviceReadBps is { Count: > 0 } && !s.BlkioReadBpsDevice)
        {
            warnings.Add(Messages.WarnReadBps);
            h = h with { BlkioDeviceReadBps = [] };
        }
        if (h.BlkioDeviceWriteBps is { Count: > 0 } && !s.BlkioWriteBpsDevice)
        {
            warnings.Add(Messages.WarnWriteBps);
            h = h with { BlkioDeviceWriteBps = [] };
        }
        if (h.BlkioDeviceReadIOps is { Count: > 0 } && !s.BlkioReadIOpsDevice)
        {
            warnings.Add(Messages.WarnReadIOps);
            h = h with { BlkioDeviceReadIOps = [] };
        }
        if (h.BlkioDeviceWriteIOps is { Count: > 0 } && !s.BlkioWriteIOpsDevice)
        {
            warnings.Add(Messages.WarnWriteIOps);
            h = h with { BlkioDeviceWriteIOps = [] };
        }
        return h;
    }

    /// <summary>adaptContainerSettings: swap defaults to twice the memory limit; OomKillDisable to false.</summary>
    public static HostSettings AdaptForCreate(HostSettings h)
    {
        if (h.Memory > 0 && h.MemorySwap == 0)
        {
            h = h with { MemorySwap = h.Memory * 2 };
        }
        return h.OomKillDisable is null ? h with { OomKillDisable = false } : h;
    }

    private static DaemonException Invalid(string message) => DaemonException.InvalidParameter(message);
}
