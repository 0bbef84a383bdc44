using Berth.Engine.Containers;

namespace Berth.Runtime.Cgroups;

/// <summary>v1 stats: containerd's cgroup1 reader, as dockerd reports them.</summary>
public sealed partial class CgroupV1
{
    public bool ReadStats(string cgroup, StatsSample sample, Span<byte> buffer)
    {
        Files f = _files.GetOrAdd(cgroup, c => new Files(this, c));
        if (!CgroupIo.TryReadValue(f.MemoryUsage, buffer, out ulong usage))
        {
            _files.TryRemove(cgroup, out _); // gone with the container
            return false;
        }
        MemorySample m = sample.Memory;
        m.Usage = usage;
        m.MaxUsage = CgroupIo.TryReadValue(f.MemoryMaxUsage, buffer, out ulong max) ? max : 0;
        m.Limit = CgroupIo.TryReadValue(f.MemoryLimit, buffer, out ulong limit) ? limit : 0;
        m.Failcnt = CgroupIo.TryReadValue(f.MemoryFailcnt, buffer, out ulong failcnt) ? failcnt : 0;
        m.UseKeys(MemoryStatKeys);
        StatParsers.ParseKeyValues(CgroupIo.Read(f.MemoryStat, buffer), MemoryStatKeyBytes, m.StatValues);

        CpuSample cpu = sample.Cpu;
        cpu.TotalUsage = CgroupIo.TryReadValue(f.CpuacctUsage, buffer, out ulong total) ? total : 0;
        StatParsers.ParseList(CgroupIo.Read(f.CpuacctPercpu, buffer), cpu);
        Span<ulong> values = stackalloc ulong[3];
        values.Clear();
        StatParsers.ParseKeyValues(CgroupIo.Read(f.CpuacctStat, buffer), CpuacctStatKeys, values);
        cpu.UsageInUsermode = values[0] * (1_000_000_000 / ClockTicks);
        cpu.UsageInKernelmode = values[1] * (1_000_000_000 / ClockTicks);
        values.Clear();
        StatParsers.ParseKeyValues(CgroupIo.Read(f.CpuStat, buffer), CpuStatKeys, values);
        cpu.ThrottlingPeriods = values[0];
        cpu.ThrottledPeriods = values[1];
        cpu.ThrottledTime = values[2];

        sample.PidsCurrent = CgroupIo.TryReadValue(f.PidsCurrent, buffer, out ulong current) ? current : 0;
        sample.PidsLimit = CgroupIo.TryReadValue(f.PidsMax, buffer, out ulong pidsMax) ? pidsMax : 0;

        sample.BlkioV1 = true;
        StatParsers.ParseBlkioV1(CgroupIo.Read(f.BlkioServiceBytes, buffer), sample.IoServiceBytes);
        StatParsers.ParseBlkioV1(CgroupIo.Read(f.BlkioServiced, buffer), sample.IoServiced);
        return true;
    }

    /// <summary>The file paths one stats reading opens, computed once per cgroup.</summary>
    private sealed class Files
    {
        public Files(CgroupV1 owner, string cgroup)
        {
            string memory = owner.Dir("memory", cgroup);
            MemoryUsage = Path.Combine(memory, "memory.usage_in_bytes");
            MemoryMaxUsage = Path.Combine(memory, "memory.max_usage_in_bytes");
            MemoryLimit = Path.Combine(memory, "memory.limit_in_bytes");
            MemoryFailcnt = Path.Combine(memory, "memory.failcnt");
            MemoryStat = Path.Combine(memory, "memory.stat");
            string cpuacct = owner.Dir("cpuacct", cgroup);
            CpuacctUsage = Path.Combine(cpuacct, "cpuacct.usage");
            CpuacctPercpu = Path.Combine(cpuacct, "cpuacct.usage_percpu");
            CpuacctStat = Path.Combine(cpuacct, "cpuacct.stat");
            CpuStat = Path.Combine(owner.Dir("cpu", cgroup), "cpu.stat");
            string pids = owner.Dir("pids", cgroup);
            PidsCurrent = Path.Combine(pids, "pids.current");
            PidsMax = Path.Combine(pids, "pids.max");
            string blkio = owner.Dir("blkio", cgroup);
            // CFQ/BFQ kernels have the full lists; otherwise only the throttle layer counts I/O.
            string prefix = File.Exists(Path.Combine(blkio, "blkio.io_serviced_recursive")) ? "blkio." : "blkio.throttle.";
            BlkioServiceBytes = Path.Combine(blkio, prefix + "io_service_bytes_recursive");
            BlkioServiced = Path.Combine(blkio, prefix + "io_serviced_recursive");
        }

        public string MemoryUsage { get; }
        public string MemoryMaxUsage { get; }
        public string MemoryLimit { get; }
        public string MemoryFailcnt { get; }
        public string MemoryStat { get; }
        public string CpuacctUsage { get; }
        public string CpuacctPercpu { get; }
        public string CpuacctStat { get; }
        public string CpuStat { get; }
        public string PidsCurrent { get; }
        public string PidsMax { get; }
        public string BlkioServiceBytes { get; }
        public string BlkioServiced { get; }
    }
}
