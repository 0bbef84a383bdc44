using Berth.Engine.Containers;
using Berth.Runtime.Cgroups;

namespace Berth.UnitTests.Runtime.Cgroups;

/// <summary>The v2 manager against a fake unified tree (this machine runs v1; v1 is covered by the integration tests).</summary>
public sealed class CgroupV2Tests : IDisposable
{
    private const string Cg = "/berth/abc";
    private readonly FakeCgroupTree _tree = new();

    public CgroupV2Tests()
    {
        _tree.Write("cgroup.controllers", "cpuset cpu io memory pids\n");
        _tree.Write("cpuset.cpus.effective", "0-3\n");
        _tree.Write("cpuset.mems.effective", "0\n");
        _tree.Write("init.scope/memory.swap.max", "max\n");
        foreach (string f in new[] { "memory.max", "memory.low", "memory.swap.max", "cpu.weight", "cpuset.cpus", "cpuset.mems", "pids.max",
                     "io.weight", "io.max", "cgroup.freeze" })
        {
            _tree.Write($"{Cg}/{f}", "");
        }
        _tree.Write($"{Cg}/cpu.max", "max 100000\n");
        _tree.Write($"{Cg}/memory.current", "1048576\n");
        _tree.Write($"{Cg}/memory.stat", "anon 4096\nfile 8192\ninactive_file 2048\nsomething_new 1\npgfault 77\n");
        _tree.Write($"{Cg}/memory.events", "low 0\nhigh 0\nmax 3\noom 2\noom_kill 1\n");
        _tree.Write($"{Cg}/cpu.stat", "usage_usec 1500\nuser_usec 1000\nsystem_usec 500\nnr_periods 10\nnr_throttled 4\nthrottled_usec 250\n");
        _tree.Write($"{Cg}/pids.current", "3\n");
        _tree.Write($"{Cg}/pids.max", "max\n");
        _tree.Write($"{Cg}/io.stat", "8:0 rbytes=4096 wbytes=8192 rios=1 wios=2 dbytes=0 dios=0\n");
        _tree.Write($"{Cg}/cgroup.procs", "101\n102\n");
        _tree.Write($"{Cg}/cgroup.events", "populated 1\nfrozen 1\n");
    }

    public void Dispose() => _tree.Dispose();

    [Fact]
    public void ForHost_PicksV2ForAUnifiedRoot() => Assert.Equal(2, CgroupManagers.ForHost(_tree.Root).Version);

    [Fact]
    public void Support_FromControllers()
    {
        ResourceSupport s = new CgroupV2(_tree.Root).ReadSupport();
        Assert.True(s.MemoryLimit && s.SwapLimit && s.CpuCfs && s.CpuShares && s.Cpuset && s.PidsLimit && s.BlkioWeight && s.BlkioReadBpsDevice);
        Assert.False(s.OomKillDisable);
        Assert.False(s.MemorySwappiness);
        Assert.Equal("0-3", s.Cpus);
    }

    [Fact]
    public void Apply_ConvertsToV2Files()
    {
        var v2 = new CgroupV2(_tree.Root);
        v2.Apply(Cg, new CgroupResources
        {
            MemoryLimit = 32 << 20,
            MemorySwap = 64 << 20,
            MemoryReservation = 16 << 20,
            CpuShares = 1024,
            CpuQuota = 50_000,
            CpuPeriod = 100_000,
            CpusetCpus = "0-1",
            PidsLimit = -1,
            BlkioWeight = 500,
            ReadBps = [new DeviceValue(8, 0, 1048576)],
        });
        Assert.Equal("33554432", _tree.Read($"{Cg}/memory.max"));
        Assert.Equal("33554432", _tree.Read($"{Cg}/memory.swap.max")); // 64 MiB total − 32 MiB memory
        Assert.Equal("16777216", _tree.Read($"{Cg}/memory.low"));
        Assert.Equal("39", _tree.Read($"{Cg}/cpu.weight"));
        Assert.Equal("50000 100000", _tree.Read($"{Cg}/cpu.max"));
        Assert.Equal("0-1", _tree.Read($"{Cg}/cpuset.cpus"));
        Assert.Equal("max", _tree.Read($"{Cg}/pids.max"));
        Assert.Equal("default 4950", _tree.Read($"{Cg}/io.weight"));
        Assert.Equal("8:0 rbps=1048576", _tree.Read($"{Cg}/io.max"));
    }

    [Fact]
    public void Apply_QuotaAloneKeepsThePeriod()
    {
        _tree.Write($"{Cg}/cpu.max", "max 50000\n");
        new CgroupV2(_tree.Root).Apply(Cg, new CgroupResources { CpuQuota = 25_000 });
        Assert.Equal("25000 50000", _tree.Read($"{Cg}/cpu.max"));
    }

    [Theory]
    [InlineData(2UL, 1UL)]
    [InlineData(1024UL, 39UL)]
    [InlineData(262144UL, 10000UL)]
    public void SharesToWeight_AsRunc(ulong shares, ulong weight) => Assert.Equal(weight, CgroupV2.SharesToWeight(shares));

    [Fact]
    public void ReadStats_V2Shape()
    {
        var sample = new StatsSample();
        Assert.True(new CgroupV2(_tree.Root).ReadStats(Cg, sample, new byte[65536]));
        Assert.Equal(1048576UL, sample.Memory.Usage);
        Assert.Equal(ulong.MaxValue, sample.Memory.Limit); // "max"; the caller caps it at the host's memory
        Assert.Equal(2UL, sample.Memory.Failcnt);
        Assert.Equal(0UL, sample.Memory.MaxUsage);
        Assert.Same(CgroupV2.MemoryStatKeys, sample.Memory.StatKeys);
        Assert.Equal(2048UL, sample.Memory.StatValues[CgroupV2.MemoryStatKeys.ToList().IndexOf("inactive_file")]);
        Assert.Equal(77UL, sample.Memory.StatValues[CgroupV2.MemoryStatKeys.ToList().IndexOf("pgfault")]);
        Assert.Equal(1_500_000UL, sample.Cpu.TotalUsage);
        Assert.Equal(1_000_000UL, sample.Cpu.UsageInUsermode);
        Assert.Equal(500_000UL, sample.Cpu.UsageInKernelmode);
        Assert.Equal((10UL, 4UL, 250_000UL), (sample.Cpu.ThrottlingPeriods, sample.Cpu.ThrottledPeriods, sample.Cpu.ThrottledTime));
        Assert.Equal(0, sample.Cpu.PerCpuCount);
        Assert.Equal((3UL, 0UL), (sample.PidsCurrent, sample.PidsLimit));
        Assert.False(sample.BlkioV1);
        Assert.Equal([new BlkioEntry(8, 0, "read", 4096), new BlkioEntry(8, 0, "write", 8192)], sample.IoServiceBytes);
    }

    [Fact]
    public void ReadStats_GoneCgroup_IsFalse() =>
        Assert.False(new CgroupV2(_tree.Root).ReadStats("/berth/gone", new StatsSample(), new byte[4096]));

    [Fact]
    public async Task PidsFreezeAndOom()
    {
        var v2 = new CgroupV2(_tree.Root);
        Assert.Equal([101, 102], v2.Pids(Cg));
        Assert.Equal(1, v2.OomKillCount(Cg));
        await v2.SetFrozenAsync(Cg, frozen: true);
        Assert.Equal("1", _tree.Read($"{Cg}/cgroup.freeze"));
    }
}
