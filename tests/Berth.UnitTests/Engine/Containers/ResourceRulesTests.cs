using Berth.Engine.Containers;
using Berth.Engine.Errors;

namespace Berth.UnitTests.Engine.Containers;

public sealed class ResourceRulesTests
{
    private const long MiB = 1024 * 1024;

    private static HostSettings Verify(HostSettings h, ResourceSupport? support = null, bool update = false, List<string>? warnings = null) =>
        ResourceRules.Verify(h, support ?? ResourceSupport.All, update, warnings ?? []);

    private static string Rejected(HostSettings h, ResourceSupport? support = null, bool update = false)
    {
        var e = Assert.Throws<DaemonException>(() => Verify(h, support, update));
        Assert.Equal(ErrorKind.InvalidParameter, e.Kind);
        return e.Message;
    }

    [Fact]
    public void Memory_BelowSixMiB_AndSwapRules()
    {
        Assert.Equal("Minimum memory limit allowed is 6MB", Rejected(new HostSettings { Memory = 4 * MiB }));
        Assert.Equal("Minimum memoryswap limit should be larger than memory limit, see usage",
            Rejected(new HostSettings { Memory = 64 * MiB, MemorySwap = 32 * MiB }));
        Assert.Equal("You should always set the Memory limit when using Memoryswap limit, see usage",
            Rejected(new HostSettings { MemorySwap = 32 * MiB }));
        // an update may set swap alone
        Assert.Equal(32 * MiB, Verify(new HostSettings { MemorySwap = 32 * MiB }, update: true).MemorySwap);
        Assert.Equal("Minimum memory reservation allowed is 6MB", Rejected(new HostSettings { MemoryReservation = MiB }));
        Assert.Equal("Minimum memory limit can not be less than memory reservation limit, see usage",
            Rejected(new HostSettings { Memory = 16 * MiB, MemoryReservation = 32 * MiB }));
        Assert.Equal("Invalid value: 101, valid memory swappiness range is 0-100", Rejected(new HostSettings { MemorySwappiness = 101 }));
        Assert.Null(Verify(new HostSettings { MemorySwappiness = -1 }).MemorySwappiness);
    }

    [Fact]
    public void Cpu_ConflictsAndRanges()
    {
        Assert.Equal("Conflicting options: Nano CPUs and CPU Period cannot both be set",
            Rejected(new HostSettings { NanoCpus = 500_000_000, CpuPeriod = 100_000 }));
        Assert.Equal("Conflicting options: Nano CPUs and CPU Quota cannot both be set",
            Rejected(new HostSettings { NanoCpus = 500_000_000, CpuQuota = 50_000 }));
        Assert.Equal("range of CPUs is from 0.01 to 2.00, as there are only 2 CPUs available",
            Rejected(new HostSettings { NanoCpus = 3_000_000_000 }));
        Assert.Equal("CPU cfs period can not be less than 1ms (i.e. 1000) or larger than 1s (i.e. 1000000)",
            Rejected(new HostSettings { CpuPeriod = 999 }));
        Assert.Equal("CPU cfs quota can not be less than 1ms (i.e. 1000)", Rejected(new HostSettings { CpuQuota = 999 }));
        Assert.Equal("NanoCPUs can not be set, as your kernel does not support CPU CFS scheduler or the cgroup is not mounted",
            Rejected(new HostSettings { NanoCpus = 1_000_000_000 }, ResourceSupport.All with { CpuCfs = false }));
    }

    [Fact]
    public void Cpuset_ParsedAndCheckedAgainstTheHost()
    {
        Assert.Equal("0-1", Verify(new HostSettings { CpusetCpus = "0-1" }).CpusetCpus);
        Assert.Equal("Requested CPUs are not available - requested 5, available: 0-1", Rejected(new HostSettings { CpusetCpus = "5" }));
        Assert.Equal("Invalid value 1-x for cpuset cpus: invalid format: 1-x", Rejected(new HostSettings { CpusetCpus = "1-x" }));
        Assert.Equal("Invalid value 3-1 for cpuset cpus: invalid format: 3-1", Rejected(new HostSettings { CpusetCpus = "3-1" }));
        Assert.Equal("Invalid value 0-9000 for cpuset cpus: value of out range, maximum is 8192", Rejected(new HostSettings { CpusetCpus = "0-9000" }));
        Assert.Equal("Requested memory nodes are not available - requested 1, available: 0", Rejected(new HostSettings { CpusetMems = "1" }));
    }

    [Fact]
    public void Unsupported_ValuesAreDiscardedWithDockerdsWarnings()
    {
        var warnings = new List<string>();
        var support = ResourceSupport.All with { BlkioWeight = false, SwapLimit = false, OomKillDisable = false, MemorySwappiness = false };
        HostSettings h = Verify(new HostSettings { BlkioWeight = 300, Memory = 32 * MiB, OomKillDisable = true, MemorySwappiness = 10 },
            support, warnings: warnings);
        Assert.Equal(0, h.BlkioWeight);
        Assert.Equal(-1, h.MemorySwap);
        Assert.Null(h.OomKillDisable);
        Assert.Null(h.MemorySwappiness);
        Assert.Equal(
        [
            "Your kernel does not support swap limit capabilities or the cgroup is not mounted. Memory limited without swap.",
            "Your kernel does not support memory swappiness capabilities or the cgroup is not mounted. Memory swappiness discarded.",
            "Your kernel does not support OomKillDisable. OomKillDisable discarded.",
            "Your kernel does not support Block I/O weight or the cgroup is not mounted. Weight discarded.",
        ], warnings);
        Assert.Equal("Range of blkio weight is from 10 to 1000", Rejected(new HostSettings { BlkioWeight = 5 }));
    }

    [Fact]
    public void OomKillerOffWithoutLimit_Warns()
    {
        var warnings = new List<string>();
        Verify(new HostSettings { OomKillDisable = true }, warnings: warnings);
        Assert.Equal(["OOM killer is disabled for the container, but no memory limit is set, this can result in the system running out of resources."], warnings);
    }

    [Fact]
    public void Create_DefaultsSwapToTwiceTheMemory()
    {
        HostSettings h = ResourceRules.AdaptForCreate(new HostSettings { Memory = 32 * MiB });
        Assert.Equal(64 * MiB, h.MemorySwap);
        Assert.False(h.OomKillDisable);
        Assert.Equal(-1, ResourceRules.AdaptForCreate(new HostSettings { Memory = 32 * MiB, MemorySwap = -1 }).MemorySwap);
    }

    [Fact]
    public void Merge_ReplacesSetValues_AndRefusesMixedCpuOptions()
    {
        var current = new HostSettings { Memory = 32 * MiB, MemorySwap = 64 * MiB, NanoCpus = 1_000_000_000, CpuShares = 512 };
        HostSettings merged = ResourceRules.Merge(current, new HostSettings { Memory = 48 * MiB, NanoCpus = 500_000_000, PidsLimit = 10 }, "c1");
        Assert.Equal(48 * MiB, merged.Memory);
        Assert.Equal(64 * MiB, merged.MemorySwap);
        Assert.Equal(500_000_000, merged.NanoCpus);
        Assert.Equal(512, merged.CpuShares);
        Assert.Equal(10, merged.PidsLimit);

        var e = Assert.Throws<DaemonException>(() => ResourceRules.Merge(current, new HostSettings { CpuPeriod = 50_000 }, "c1"));
        Assert.Equal(ErrorKind.Conflict, e.Kind);
        Assert.Equal("Cannot update container c1: Conflicting options: CPU Period cannot be updated as NanoCPUs has already been set", e.Message);
        e = Assert.Throws<DaemonException>(() => ResourceRules.Merge(current, new HostSettings { Memory = 128 * MiB }, "c1"));
        Assert.Equal("Cannot update container c1: Memory limit should be smaller than already set memoryswap limit, update the memoryswap at the same time",
            e.Message);
        // with the swap given too it is fine
        Assert.Equal(128 * MiB, ResourceRules.Merge(current, new HostSettings { Memory = 128 * MiB, MemorySwap = 256 * MiB }, "c1").Memory);
    }

    [Fact]
    public void Merge_RestartPolicy_EmptyKeeps_AutoRemoveRefuses()
    {
        var current = new HostSettings { RestartPolicy = new RestartPolicySettings("always") };
        Assert.Equal("always", ResourceRules.Merge(current, new HostSettings { RestartPolicy = new RestartPolicySettings("") }, "c").RestartPolicy.Name);
        Assert.Equal("no", ResourceRules.Merge(current, new HostSettings { RestartPolicy = new RestartPolicySettings("no") }, "c").RestartPolicy.Name);
        var e = Assert.Throws<DaemonException>(() => ResourceRules.Merge(new HostSettings { AutoRemove = true },
            new HostSettings { RestartPolicy = new RestartPolicySettings("always") }, "c"));
        Assert.Equal("Cannot update container c: Restart policy cannot be updated because AutoRemove is enabled for the container", e.Message);
    }
}
