using System.Collections.Concurrent;
using System.Globalization;
using Berth.Engine.Containers;
using Berth.Engine.Errors;

namespace Berth.Runtime.Cgroups;

/// <summary>
/// cgroup v2: one unified tree. Values convert as runc's fs2 driver does them (shares → weight,
/// memory+swap → swap.max, quota/period → cpu.max); stats follow containerd's cgroup2 reader
/// (dockerd: no max_usage, no per-CPU usage, failcnt from memory.events "oom").
/// </summary>
public sealed class CgroupV2 : ICgroupManager
{
    private static readonly byte[][] CpuStatKeys =
    [
        "usage_usec"u8.ToArray(), "user_usec"u8.ToArray(), "system_usec"u8.ToArray(),
        "nr_periods"u8.ToArray(), "nr_throttled"u8.ToArray(), "throttled_usec"u8.ToArray(),
    ];

    private static readonly byte[][] MemoryEventKeys = ["oom"u8.ToArray(), "oom_kill"u8.ToArray()];

    /// <summary>memory_stats.stats of a v2 host: dockerd's fixed set, sorted as Go writes a map.</summary>
    public static readonly IReadOnlyList<string> MemoryStatKeys =
    [
        "active_anon", "active_file", "anon", "anon_thp", "file", "file_dirty", "file_mapped", "file_writeback",
        "inactive_anon", "inactive_file", "kernel_stack", "pgactivate", "pgdeactivate", "pgfault", "pglazyfree",
        "pglazyfreed", "pgmajfault", "pgrefill", "pgscan", "pgsteal", "shmem", "slab", "slab_reclaimable",
        "slab_unreclaimable", "sock", "thp_collapse_alloc", "thp_fault_alloc", "unevictable", "workingset_activate",
        "workingset_nodereclaim", "workingset_refault",
    ];

    private static readonly byte[][] MemoryStatKeyBytes = [.. MemoryStatKeys.Select(k => System.Text.Encoding.ASCII.GetBytes(k))];

    private readonly string _root;
    private readonly ConcurrentDictionary<string, string> _dirs = new(StringComparer.Ordinal);

    public CgroupV2(string root = CgroupFs.DefaultRoot)
    {
        _root = root;
    }

    public int Version => 2;

    private string Dir(string cgroup) => _dirs.GetOrAdd(cgroup, c => CgroupIo.Join(_root, c));

    public ResourceSupport ReadSupport()
    {
        var controllers = (CgroupIo.ReadText(Path.Combine(_root, "cgroup.controllers")) ?? "")
            .Split([' ', '\n'], StringSplitOptions.RemoveEmptyEntries).ToHashSet(StringComparer.Ordinal);
        bool memory = controllers.Contains("memory");
        bool io = controllers.Contains("io");
        bool cpuset = controllers.Contains("cpuset");
        return new ResourceSupport
        {
            MemoryLimit = memory,
            // memory.swap.max exists only where the kernel accounts swap; the root has no such file, a child does.
            SwapLimit = memory && AnyChildHas("memory.swap.max"),
            MemoryReservation = memory,
            OomKillDisable = false,
            MemorySwappiness = false,
            PidsLimit = controllers.Contains("pids"),
            CpuShares = controllers.Contains("cpu"),
            CpuCfs = controllers.Contains("cpu"),
            Cpuset = cpuset,
            BlkioWeight = io,
            BlkioWeightDevice = io,
            BlkioReadBpsDevice = io,
            BlkioWriteBpsDevice = io,
            BlkioReadIOpsDevice = io,
            BlkioWriteIOpsDevice = io,
            Cpus = cpuset ? CgroupIo.ReadText(Path.Combine(_root, "cpuset.cpus.effective"))?.Trim() ?? "" : "",
            Mems = cpuset ? CgroupIo.ReadText(Path.Combine(_root, "cpuset.mems.effective"))?.Trim() ?? "" : "",
        };
    }

    private bool AnyChildHas(string file)
    {
        try
        {
            return Directory.EnumerateDirectories(_root).Any(d => File.Exists(Path.Combine(d, file)));
        }
        catch (IOException)
        {
            return false;
        }
    }

    public void Apply(string cgroup, CgroupResources resources)
    {
        CgroupResources r = resources;
        string dir = Dir(cgroup);
        if (r.MemoryReservation is long low)
        {
            CgroupIo.Write(dir, "memory.low", low);
        }
        // v2 limits swap on its own (swap.max), not memory+swap as v1 and the Docker API do.
        if (SwapMax(r.MemoryLimit, r.MemorySwap) is string swapMax)
        {
            CgroupIo.Write(dir, "memory.swap.max", swapMax);
        }
        if (r.MemoryLimit is long limit)
        {
            CgroupIo.Write(dir, "memory.max", limit < 0 ? "max" : limit.ToString(CultureInfo.InvariantCulture));
        }
        if (r.CpuShares is ulong shares and > 0)
        {
            CgroupIo.Write(dir, "cpu.weight", SharesToWeight(shares));
        }
        if (r.CpuQuota is not null || r.CpuPeriod is not null)
        {
            CgroupIo.Write(dir, "cpu.max", CpuMax(r.CpuQuota, r.CpuPeriod, CgroupIo.ReadText(Path.Combine(dir, "cpu.max"))));
        }
        if (r.CpusetCpus is { } cpus)
        {
            CgroupIo.Write(dir, "cpuset.cpus", cpus);
        }
        if (r.CpusetMems is { } mems)
        {
            CgroupIo.Write(dir, "cpuset.mems", mems);
        }
        if (r.PidsLimit is long pids)
        {
            CgroupIo.Write(dir, "pids.max", pids < 0 ? "max" : pids.ToString(CultureInfo.InvariantCulture));
        }
        if (r.BlkioWeight is ushort weight)
        {
            // BFQ takes the blkio range as is; io.weight has its own 1-10000 scale.
            if (File.Exists(Path.Combine(dir, "io.bfq.weight")))
            {
                CgroupIo.Write(dir, "io.bfq.weight", weight);
            }
            else
            {
                CgroupIo.Write(dir, "io.weight", "default " + BlkioWeightToIoWeight(weight).ToString(CultureInfo.InvariantCulture));
            }
        }
        foreach (DeviceValue d in r.WeightDevices)
        {
            CgroupIo.Write(dir, "io.weight", string.Create(CultureInfo.InvariantCulture, $"{d.Major}:{d.Minor} {BlkioWeightToIoWeight(d.Value)}"));
        }
        foreach ((string key, IReadOnlyList<DeviceValue> list) in new[] { ("rbps", r.ReadBps), ("wbps", r.WriteBps), ("riops", r.ReadIops), ("wiops", r.WriteIops) })
        {
            foreach (DeviceValue d in list)
            {
                CgroupIo.Write(dir, "io.max", string.Create(CultureInfo.InvariantCulture, $"{d.Major}:{d.Minor} {key}={d.Value}"));
            }
        }
    }

    /// <summary>runc ConvertCPUSharesToCgroupV2Value: [2, 262144] onto [1, 10000].</summary>
    public static ulong SharesToWeight(ulong shares) => shares == 0 ? 0 : 1 + ((Math.Clamp(shares, 2, 262144) - 2) * 9999 / 262142);

    /// <summary>runc ConvertBlkIOToIOWeightValue: [10, 1000] onto [1, 10000].</summary>
    public static ulong BlkioWeightToIoWeight(ulong weight) => weight == 0 ? 0 : 1 + ((weight - 10) * 9999 / 990);

    /// <summary>memory.swap.max from docker's memory+swap total; -1 (either) is "max"; null when nothing to write.</summary>
    public static string? SwapMax(long? limit, long? memorySwap) => memorySwap switch
    {
        null => null,
        -1 => "max",
        long s when limit is long l && l > 0 => Math.Max(0, s - l).ToString(CultureInfo.InvariantCulture),
        _ => null,
    };

    /// <summary>"quota period": an unset part keeps the current value; quota ≤ 0 is "max"; period defaults to 100 ms.</summary>
    public static string CpuMax(long? quota, ulong? period, string? current)
    {
        string[] parts = (current ?? "max 100000").Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        string q = quota is long qv ? (qv > 0 ? qv.ToString(CultureInfo.InvariantCulture) : "max") : parts.Length > 0 ? parts[0] : "max";
        string p = period is ulong pv && pv > 0 ? pv.ToString(CultureInfo.InvariantCulture) : parts.Length > 1 ? parts[1] : "100000";
        return q + " " + p;
    }

    public bool ReadStats(string cgroup, StatsSample sample, Span<byte> buffer)
    {
        string dir = Dir(cgroup);
        Files f = Files.For(dir);
        if (!CgroupIo.TryReadValue(f.MemoryCurrent, buffer, out ulong usage))
        {
            _dirs.TryRemove(cgroup, out _);
            Files.Forget(dir);
            return false;
        }
        MemorySample m = sample.Memory;
        m.Usage = usage;
        m.Limit = CgroupIo.TryReadValue(f.MemoryMax, buffer, out ulong limit, ulong.MaxValue) ? limit : ulong.MaxValue;
        m.UseKeys(MemoryStatKeys);
        StatParsers.ParseKeyValues(CgroupIo.Read(f.MemoryStat, buffer), MemoryStatKeyBytes, m.StatValues);
        Span<ulong> events = stackalloc ulong[2];
        events.Clear();
        StatParsers.ParseKeyValues(CgroupIo.Read(f.MemoryEvents, buffer), MemoryEventKeys, events);
        m.Failcnt = events[0];

        Span<ulong> cpu = stackalloc ulong[6];
        cpu.Clear();
        StatParsers.ParseKeyValues(CgroupIo.Read(f.CpuStat, buffer), CpuStatKeys, cpu);
        sample.Cpu.TotalUsage = cpu[0] * 1000;
        sample.Cpu.UsageInUsermode = cpu[1] * 1000;
        sample.Cpu.UsageInKernelmode = cpu[2] * 1000;
        sample.Cpu.ThrottlingPeriods = cpu[3];
        sample.Cpu.ThrottledPeriods = cpu[4];
        sample.Cpu.ThrottledTime = cpu[5] * 1000;

        sample.PidsCurrent = CgroupIo.TryReadValue(f.PidsCurrent, buffer, out ulong current) ? current : 0;
        sample.PidsLimit = CgroupIo.TryReadValue(f.PidsMax, buffer, out ulong pidsMax) ? pidsMax : 0;

        sample.BlkioV1 = false;
        StatParsers.ParseIoStat(CgroupIo.Read(f.IoStat, buffer), sample.IoServiceBytes, sample.IoServiced);
        sample.IoServiced.Clear(); // dockerd reports only the bytes on v2
        return true;
    }

    public IReadOnlyList<int> Pids(string cgroup)
    {
        string? text = CgroupIo.ReadText(Path.Combine(Dir(cgroup), "cgroup.procs"));
        return text is null ? [] : StatParsers.ParsePids(System.Text.Encoding.ASCII.GetBytes(text));
    }

    public async Task SetFrozenAsync(string cgroup, bool frozen, CancellationToken cancellationToken = default)
    {
        string dir = Dir(cgroup);
        CgroupIo.Write(dir, "cgroup.freeze", frozen ? "1" : "0");
        string want = frozen ? "frozen 1" : "frozen 0";
        for (int attempt = 0; attempt < 500; attempt++)
        {
            string? events = CgroupIo.ReadText(Path.Combine(dir, "cgroup.events"));
            if (events is null)
            {
                throw DaemonException.NotFound($"cgroup {cgroup} not found");
            }
            if (events.Split('\n').Any(l => l.Trim() == want))
            {
                return;
            }
            await Task.Delay(attempt < 10 ? 1 : 10, cancellationToken).ConfigureAwait(false);
        }
        if (frozen)
        {
            CgroupIo.Write(dir, "cgroup.freeze", "0");
        }
        throw DaemonException.System($"unable to {(frozen ? "freeze" : "thaw")} cgroup {cgroup}");
    }

    public long? OomKillCount(string cgroup)
    {
        Span<byte> buffer = stackalloc byte[512];
        ReadOnlySpan<byte> text = CgroupIo.Read(Path.Combine(Dir(cgroup), "memory.events"), buffer);
        if (text.IsEmpty)
        {
            return null;
        }
        Span<ulong> values = stackalloc ulong[2];
        values.Clear();
        StatParsers.ParseKeyValues(text, MemoryEventKeys, values);
        return (long)values[1];
    }

    /// <summary>The file paths of one cgroup dir, computed once.</summary>
    private sealed class Files
    {
        private static readonly ConcurrentDictionary<string, Files> Cache = new(StringComparer.Ordinal);

        private Files(string dir)
        {
            MemoryCurrent = Path.Combine(dir, "memory.current");
            MemoryMax = Path.Combine(dir, "memory.max");
            MemoryStat = Path.Combine(dir, "memory.stat");
            MemoryEvents = Path.Combine(dir, "memory.events");
            CpuStat = Path.Combine(dir, "cpu.stat");
            PidsCurrent = Path.Combine(dir, "pids.current");
            PidsMax = Path.Combine(dir, "pids.max");
            IoStat = Path.Combine(dir, "io.stat");
        }

        public static Files For(string dir) => Cache.GetOrAdd(dir, d => new Files(d));

        public static void Forget(string dir) => Cache.TryRemove(dir, out _);

        public string MemoryCurrent { get; }
        public string MemoryMax { get; }
        public string MemoryStat { get; }
        public string MemoryEvents { get; }
        public string CpuStat { get; }
        public string PidsCurrent { get; }
        public string PidsMax { get; }
        public string IoStat { get; }
    }
}
