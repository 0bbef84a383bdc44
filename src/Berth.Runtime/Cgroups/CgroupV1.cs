using System.Collections.Concurrent;
using Berth.Engine.Containers;
using Berth.Engine.Errors;

namespace Berth.Runtime.Cgroups;

/// <summary>
/// cgroup v1: one hierarchy per controller under the root (/sys/fs/cgroup/memory, /cpu, …;
/// cpu and cpuacct may be separate or one "cpu,cpuacct" tree behind symlinks). Writes follow
/// runc's fs driver, stats containerd's cgroup1 reader (what dockerd reports).
/// </summary>
public sealed partial class CgroupV1 : ICgroupManager
{
    private const ulong ClockTicks = 100; // USER_HZ, for cpuacct.stat

    private static readonly byte[][] CpuacctStatKeys = ["user"u8.ToArray(), "system"u8.ToArray()];
    private static readonly byte[][] CpuStatKeys = ["nr_periods"u8.ToArray(), "nr_throttled"u8.ToArray(), "throttled_time"u8.ToArray()];
    private static readonly byte[][] OomControlKeys = ["oom_kill"u8.ToArray()];

    /// <summary>memory_stats.stats of a v1 host: dockerd's fixed set, in the sorted order Go's encoder writes a map.</summary>
    public static readonly IReadOnlyList<string> MemoryStatKeys =
    [
        "active_anon", "active_file", "cache", "dirty", "hierarchical_memory_limit", "hierarchical_memsw_limit",
        "inactive_anon", "inactive_file", "mapped_file", "pgfault", "pgmajfault", "pgpgin", "pgpgout", "rss", "rss_huge",
        "total_active_anon", "total_active_file", "total_cache", "total_dirty", "total_inactive_anon", "total_inactive_file",
        "total_mapped_file", "total_pgfault", "total_pgmajfault", "total_pgpgin", "total_pgpgout", "total_rss",
        "total_rss_huge", "total_unevictable", "total_writeback", "unevictable", "writeback",
    ];

    private static readonly byte[][] MemoryStatKeyBytes = [.. MemoryStatKeys.Select(k => System.Text.Encoding.ASCII.GetBytes(k))];

    private readonly string _root;
    private readonly ConcurrentDictionary<string, Files> _files = new(StringComparer.Ordinal);

    public CgroupV1(string root = CgroupFs.DefaultRoot)
    {
        _root = root;
    }

    public int Version => 1;

    private string Dir(string controller, string cgroup) => CgroupIo.Join(Path.Combine(_root, controller), cgroup);

    public ResourceSupport ReadSupport()
    {
        bool Has(string controller, string file) => File.Exists(Path.Combine(_root, controller, file));
        string cpus = CgroupIo.ReadText(Path.Combine(_root, "cpuset", "cpuset.cpus"))?.Trim() ?? "";
        string mems = CgroupIo.ReadText(Path.Combine(_root, "cpuset", "cpuset.mems"))?.Trim() ?? "";
        return new ResourceSupport
        {
            MemoryLimit = Directory.Exists(Path.Combine(_root, "memory")),
            SwapLimit = Has("memory", "memory.memsw.limit_in_bytes"),
            MemoryReservation = Has("memory", "memory.soft_limit_in_bytes"),
            OomKillDisable = Has("memory", "memory.oom_control"),
            MemorySwappiness = Has("memory", "memory.swappiness"),
            PidsLimit = Directory.Exists(Path.Combine(_root, "pids")),
            CpuShares = Has("cpu", "cpu.shares"),
            CpuCfs = Has("cpu", "cpu.cfs_quota_us"),
            Cpuset = Directory.Exists(Path.Combine(_root, "cpuset")),
            BlkioWeight = Has("blkio", "blkio.weight"),
            BlkioWeightDevice = Has("blkio", "blkio.weight_device"),
            BlkioReadBpsDevice = Has("blkio", "blkio.throttle.read_bps_device"),
            BlkioWriteBpsDevice = Has("blkio", "blkio.throttle.write_bps_device"),
            BlkioReadIOpsDevice = Has("blkio", "blkio.throttle.read_iops_device"),
            BlkioWriteIOpsDevice = Has("blkio", "blkio.throttle.write_iops_device"),
            Cpus = cpus,
            Mems = mems,
        };
    }

    public void Apply(string cgroup, CgroupResources resources)
    {
        CgroupResources r = resources;
        string memory = Dir("memory", cgroup);
        if (r.MemoryReservation is long reservation)
        {
            CgroupIo.Write(memory, "memory.soft_limit_in_bytes", reservation);
        }
        SetMemoryAndSwap(memory, r.MemoryLimit, r.MemorySwap);
        if (r.Swappiness is ulong swappiness)
        {
            CgroupIo.Write(memory, "memory.swappiness", swappiness);
        }
        if (r.OomKillDisable == true)
        {
            CgroupIo.Write(memory, "memory.oom_control", "1");
        }

        string cpu = Dir("cpu", cgroup);
        if (r.CpuShares is ulong shares)
        {
            CgroupIo.Write(cpu, "cpu.shares", shares);
        }
        SetCfs(cpu, r.CpuPeriod, r.CpuQuota);

        string cpuset = Dir("cpuset", cgroup);
        if (r.CpusetCpus is { } cpus)
        {
            CgroupIo.Write(cpuset, "cpuset.cpus", cpus);
        }
        if (r.CpusetMems is { } mems)
        {
            CgroupIo.Write(cpuset, "cpuset.mems", mems);
        }

        if (r.PidsLimit is long pids)
        {
            CgroupIo.Write(Dir("pids", cgroup), "pids.max", pids < 0 ? "max" : pids.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        string blkio = Dir("blkio", cgroup);
        if (r.BlkioWeight is ushort weight)
        {
            // BFQ kernels name it blkio.bfq.weight (runc picks whichever exists).
            CgroupIo.Write(blkio, File.Exists(Path.Combine(blkio, "blkio.weight")) ? "blkio.weight" : "blkio.bfq.weight", weight);
        }
        foreach (DeviceValue d in r.WeightDevices)
        {
            CgroupIo.Write(blkio, "blkio.weight_device", CgroupIo.DeviceLine(d));
        }
        foreach ((string file, IReadOnlyList<DeviceValue> list) in new[]
        {
            ("blkio.throttle.read_bps_device", r.ReadBps), ("blkio.throttle.write_bps_device", r.WriteBps),
            ("blkio.throttle.read_iops_device", r.ReadIops), ("blkio.throttle.write_iops_device", r.WriteIops),
        })
        {
            foreach (DeviceValue d in list)
            {
                CgroupIo.Write(blkio, file, CgroupIo.DeviceLine(d));
            }
        }
    }

    /// <summary>
    /// runc's order: memsw must stay ≥ memory at every moment, so raising the limits writes
    /// memsw first and lowering them writes memory first.
    /// </summary>
    private static void SetMemoryAndSwap(string dir, long? limit, long? swap)
    {
        if (limit is long l && swap is long s)
        {
            bool swapFirst = s == -1 || (CgroupIo.ReadText(Path.Combine(dir, "memory.memsw.limit_in_bytes")) is { } current
                && long.TryParse(current.Trim(), System.Globalization.CultureInfo.InvariantCulture, out long now) && now < s);
            if (swapFirst)
            {
                CgroupIo.Write(dir, "memory.memsw.limit_in_bytes", s);
                CgroupIo.Write(dir, "memory.limit_in_bytes", l);
            }
            else
            {
                CgroupIo.Write(dir, "memory.limit_in_bytes", l);
                CgroupIo.Write(dir, "memory.memsw.limit_in_bytes", s);
            }
            return;
        }
        if (limit is long only)
        {
            CgroupIo.Write(dir, "memory.limit_in_bytes", only);
        }
        if (swap is long swapOnly)
        {
            CgroupIo.Write(dir, "memory.memsw.limit_in_bytes", swapOnly);
        }
    }

    /// <summary>The kernel checks quota against period: when the period write is refused, the quota goes first.</summary>
    private static void SetCfs(string dir, ulong? period, long? quota)
    {
        if (period is ulong p)
        {
            try
            {
                CgroupIo.Write(dir, "cpu.cfs_period_us", p);
            }
            catch (DaemonException) when (quota is not null)
            {
                CgroupIo.Write(dir, "cpu.cfs_quota_us", quota.Value);
                CgroupIo.Write(dir, "cpu.cfs_period_us", p);
                return;
            }
        }
        if (quota is long q)
        {
            CgroupIo.Write(dir, "cpu.cfs_quota_us", q);
        }
    }

    public IReadOnlyList<int> Pids(string cgroup)
    {
        foreach (string controller in new[] { "pids", "freezer", "memory", "cpu", "devices" })
        {
            string? text = CgroupIo.ReadText(Path.Combine(Dir(controller, cgroup), "cgroup.procs"));
            if (text is not null)
            {
                return StatParsers.ParsePids(System.Text.Encoding.ASCII.GetBytes(text));
            }
        }
        return [];
    }

    public async Task SetFrozenAsync(string cgroup, bool frozen, CancellationToken cancellationToken = default)
    {
        string dir = Dir("freezer", cgroup);
        string want = frozen ? "FROZEN" : "THAWED";
        // A task in an uninterruptible sleep can keep the cgroup FREEZING; re-asking helps it
        // along (runc does the same), and a cgroup that never settles is thawed and reported.
        for (int attempt = 0; attempt < 1000; attempt++)
        {
            if (attempt % 25 == 0)
            {
                CgroupIo.Write(dir, "freezer.state", want);
            }
            string? state = CgroupIo.ReadText(Path.Combine(dir, "freezer.state"))?.Trim();
            if (state is null)
            {
                throw DaemonException.NotFound($"cgroup {cgroup} not found");
            }
            if (state == want)
            {
                return;
            }
            await Task.Delay(attempt < 10 ? 1 : 10, cancellationToken).ConfigureAwait(false);
        }
        if (frozen)
        {
            CgroupIo.Write(dir, "freezer.state", "THAWED");
        }
        throw DaemonException.System($"unable to {(frozen ? "freeze" : "thaw")} cgroup {cgroup}");
    }

    public long? OomKillCount(string cgroup)
    {
        Span<byte> buffer = stackalloc byte[512];
        ReadOnlySpan<byte> text = CgroupIo.Read(Path.Combine(Dir("memory", cgroup), "memory.oom_control"), buffer);
        if (text.IsEmpty)
        {
            return null;
        }
        Span<ulong> value = stackalloc ulong[1];
        value.Clear();
        StatParsers.ParseKeyValues(text, OomControlKeys, value);
        return (long)value[0];
    }
}
