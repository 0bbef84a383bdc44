using Berth.Engine.Containers;
using Berth.Runtime.Cgroups;

namespace Berth.UnitTests.Runtime.Cgroups;

/// <summary>v1 writes and reads against a fake per-controller tree (the real kernel is covered by the integration tests).</summary>
public sealed class CgroupV1Tests : IDisposable
{
    private const string Cg = "/berth/abc";
    private readonly FakeCgroupTree _tree = new();

    public CgroupV1Tests()
    {
        _tree.Write("memory/memory.memsw.limit_in_bytes", "");
        _tree.Write("memory/memory.oom_control", "");
        _tree.Write("cpu/cpu.shares", "");
        _tree.Write("cpu/cpu.cfs_quota_us", "");
        _tree.Write("cpuset/cpuset.cpus", "0-1\n");
        _tree.Write("cpuset/cpuset.mems", "0\n");
        _tree.Write("blkio/blkio.throttle.read_bps_device", "");
        Directory.CreateDirectory(Path.Combine(_tree.Root, "pids"));
        foreach (string f in new[] { $"memory{Cg}/memory.limit_in_bytes", $"memory{Cg}/memory.soft_limit_in_bytes", $"cpu{Cg}/cpu.cfs_period_us",
                     $"cpu{Cg}/cpu.cfs_quota_us", $"cpu{Cg}/cpu.shares", $"pids{Cg}/pids.max", $"blkio{Cg}/blkio.throttle.read_bps_device" })
        {
            _tree.Write(f, "");
        }
        _tree.Write($"memory{Cg}/memory.memsw.limit_in_bytes", "9223372036854771712\n");
        _tree.Write($"memory{Cg}/memory.usage_in_bytes", "2048\n");
        _tree.Write($"memory{Cg}/memory.max_usage_in_bytes", "4096\n");
        _tree.Write($"memory{Cg}/memory.limit_in_bytes", "33554432\n");
        _tree.Write($"memory{Cg}/memory.failcnt", "0\n");
        _tree.Write($"memory{Cg}/memory.stat", "cache 10\nrss 20\ntotal_inactive_file 5\nhierarchical_memory_limit 33554432\n");
        _tree.Write($"memory{Cg}/memory.oom_control", "oom_kill_disable 0\nunder_oom 0\noom_kill 3\n");
        _tree.Write($"cpuacct{Cg}/cpuacct.usage", "3000\n");
        _tree.Write($"cpuacct{Cg}/cpuacct.usage_percpu", "1000 2000 \n");
        _tree.Write($"cpuacct{Cg}/cpuacct.stat", "user 2\nsystem 1\n");
        _tree.Write($"cpu{Cg}/cpu.stat", "nr_periods 5\nnr_throttled 1\nthrottled_time 777\n");
        _tree.Write($"pids{Cg}/pids.current", "2\n");
        _tree.Write($"pids{Cg}/pids.max", "20\n");
        _tree.Write($"pids{Cg}/cgroup.procs", "7\n");
        _tree.Write($"blkio{Cg}/blkio.throttle.io_service_bytes_recursive", "8:0 Read 512\n8:0 Write 1024\n8:0 Total 1536\nTotal 1536\n");
        _tree.Write($"blkio{Cg}/blkio.throttle.io_serviced_recursive", "8:0 Read 1\nTotal 1\n");
    }

    public void Dispose() => _tree.Dispose();

    [Fact]
    public void Support_FromFiles_NoBlkioWeightHere()
    {
        ResourceSupport s = new CgroupV1(_tree.Root).ReadSupport();
        Assert.True(s.MemoryLimit && s.SwapLimit && s.OomKillDisable && s.CpuShares && s.CpuCfs && s.PidsLimit && s.BlkioReadBpsDevice);
        Assert.False(s.BlkioWeight);
        Assert.Equal(("0-1", "0"), (s.Cpus, s.Mems));
        Assert.Equal(1, CgroupManagers.ForHost(_tree.Root).Version);
    }

    [Fact]
    public void Apply_WritesTheV1Files()
    {
        new CgroupV1(_tree.Root).Apply(Cg, new CgroupResources
        {
            MemoryLimit = 64 << 20,
            MemorySwap = 128 << 20,
            CpuPeriod = 100_000,
            CpuQuota = 50_000,
            PidsLimit = -1,
            ReadBps = [new DeviceValue(8, 0, 1000)],
        });
        Assert.Equal("67108864", _tree.Read($"memory{Cg}/memory.limit_in_bytes"));
        Assert.Equal("134217728", _tree.Read($"memory{Cg}/memory.memsw.limit_in_bytes"));
        Assert.Equal("50000", _tree.Read($"cpu{Cg}/cpu.cfs_quota_us"));
        Assert.Equal("100000", _tree.Read($"cpu{Cg}/cpu.cfs_period_us"));
        Assert.Equal("max", _tree.Read($"pids{Cg}/pids.max"));
        Assert.Equal("8:0 1000", _tree.Read($"blkio{Cg}/blkio.throttle.read_bps_device"));
    }

    [Fact]
    public void ReadStats_V1Shape()
    {
        var sample = new StatsSample();
        var v1 = new CgroupV1(_tree.Root);
        Assert.True(v1.ReadStats(Cg, sample, new byte[65536]));
        Assert.Equal((2048UL, 4096UL, 33554432UL), (sample.Memory.Usage, sample.Memory.MaxUsage, sample.Memory.Limit));
        Assert.Equal(5UL, sample.Memory.StatValues[CgroupV1.MemoryStatKeys.ToList().IndexOf("total_inactive_file")]);
        Assert.Equal(3000UL, sample.Cpu.TotalUsage);
        Assert.Equal([1000UL, 2000UL], sample.Cpu.PerCpu.ToArray());
        Assert.Equal((20_000_000UL, 10_000_000UL), (sample.Cpu.UsageInUsermode, sample.Cpu.UsageInKernelmode));
        Assert.Equal(777UL, sample.Cpu.ThrottledTime);
        Assert.Equal((2UL, 20UL), (sample.PidsCurrent, sample.PidsLimit));
        Assert.True(sample.BlkioV1);
        Assert.Equal([new BlkioEntry(8, 0, "Read", 512), new BlkioEntry(8, 0, "Write", 1024), new BlkioEntry(8, 0, "Total", 1536)], sample.IoServiceBytes);
        Assert.Single(sample.IoServiced);
        Assert.Equal([7], v1.Pids(Cg));
        Assert.Equal(3, v1.OomKillCount(Cg));
    }
}
