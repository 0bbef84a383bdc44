namespace Berth.Engine.Containers;

/// <summary>
/// One reading of a container's counters, in the units of the Engine API's stats object
/// (nanoseconds, bytes). Mutable and reused: a stats stream fills the same two instances
/// every second instead of allocating a new graph per reading.
/// </summary>
public sealed class StatsSample
{
    public DateTimeOffset Read { get; set; }

    /// <summary>False: the container is not running; the API answers dockerd's zeroed object.</summary>
    public bool Valid { get; set; }

    public CpuSample Cpu { get; } = new();

    public MemorySample Memory { get; } = new();

    public ulong PidsCurrent { get; set; }

    /// <summary>0 when unlimited.</summary>
    public ulong PidsLimit { get; set; }

    /// <summary>cgroup v1 shape: every blkio list is present (empty rather than null).</summary>
    public bool BlkioV1 { get; set; }

    public List<BlkioEntry> IoServiceBytes { get; } = [];

    public List<BlkioEntry> IoServiced { get; } = [];

    /// <summary>Interfaces of the container's network namespace (lo excluded); only the first <see cref="NetworkCount"/> are current.</summary>
    public List<NetworkSample> Networks { get; } = [];

    public int NetworkCount { get; set; }

    /// <summary>Takes an entry to fill (reusing an old one), named <paramref name="name"/>.</summary>
    public NetworkSample NextNetwork(ReadOnlySpan<char> name)
    {
        if (NetworkCount == Networks.Count)
        {
            Networks.Add(new NetworkSample());
        }
        NetworkSample n = Networks[NetworkCount++];
        if (!name.SequenceEqual(n.Name))
        {
            n.Name = name.ToString();
        }
        return n;
    }

    public void Reset()
    {
        Read = default;
        Valid = false;
        Cpu.Reset();
        Memory.Reset();
        PidsCurrent = 0;
        PidsLimit = 0;
        BlkioV1 = false;
        IoServiceBytes.Clear();
        IoServiced.Clear();
        NetworkCount = 0;
    }
}

public sealed class CpuSample
{
    private ulong[] _perCpu = new ulong[16];

    public ulong TotalUsage { get; set; }
    public ulong UsageInKernelmode { get; set; }
    public ulong UsageInUsermode { get; set; }

    /// <summary>Host CPU time (all CPUs, /proc/stat) in nanoseconds, sampled beside the container's.</summary>
    public ulong SystemUsage { get; set; }
    public uint OnlineCpus { get; set; }
    public ulong ThrottlingPeriods { get; set; }
    public ulong ThrottledPeriods { get; set; }
    public ulong ThrottledTime { get; set; }

    /// <summary>cgroup v1 only; 0 entries on v2 (the field is then left out).</summary>
    public int PerCpuCount { get; private set; }

    public ReadOnlySpan<ulong> PerCpu => _perCpu.AsSpan(0, PerCpuCount);

    public void AddPerCpu(ulong value)
    {
        if (PerCpuCount == _perCpu.Length)
        {
            Array.Resize(ref _perCpu, _perCpu.Length * 2);
        }
        _perCpu[PerCpuCount++] = value;
    }

    public void CopyFrom(CpuSample other)
    {
        TotalUsage = other.TotalUsage;
        UsageInKernelmode = other.UsageInKernelmode;
        UsageInUsermode = other.UsageInUsermode;
        SystemUsage = other.SystemUsage;
        OnlineCpus = other.OnlineCpus;
        ThrottlingPeriods = other.ThrottlingPeriods;
        ThrottledPeriods = other.ThrottledPeriods;
        ThrottledTime = other.ThrottledTime;
        PerCpuCount = 0;
        foreach (ulong v in other.PerCpu)
        {
            AddPerCpu(v);
        }
    }

    public void Reset()
    {
        TotalUsage = UsageInKernelmode = UsageInUsermode = SystemUsage = 0;
        OnlineCpus = 0;
        ThrottlingPeriods = ThrottledPeriods = ThrottledTime = 0;
        PerCpuCount = 0;
    }
}

public sealed class MemorySample
{
    public ulong Usage { get; set; }
    public ulong MaxUsage { get; set; }
    public ulong Limit { get; set; }
    public ulong Failcnt { get; set; }

    /// <summary>Names of the "stats" map (fixed per cgroup version); <see cref="StatValues"/> holds the values by index.</summary>
    public IReadOnlyList<string> StatKeys { get; private set; } = [];

    public ulong[] StatValues { get; private set; } = [];

    /// <summary>Switches to a key set, zeroing the values (keeps the array when the set is the same).</summary>
    public void UseKeys(IReadOnlyList<string> keys)
    {
        if (!ReferenceEquals(keys, StatKeys))
        {
            StatKeys = keys;
            StatValues = new ulong[keys.Count];
        }
        else
        {
            Array.Clear(StatValues);
        }
    }

    public void Reset()
    {
        Usage = MaxUsage = Limit = Failcnt = 0;
        Array.Clear(StatValues); // keys stay: the next reading of the same cgroup reuses the array
    }
}

/// <summary>One line of a blkio list: device, operation ("Read", "Write", … on v1; "read"/"write" on v2), value.</summary>
public readonly record struct BlkioEntry(ulong Major, ulong Minor, string Op, ulong Value);

/// <summary>Counters of one interface (/proc/PID/net/dev).</summary>
public sealed class NetworkSample
{
    public string Name { get; set; } = "";
    public ulong RxBytes { get; set; }
    public ulong RxPackets { get; set; }
    public ulong RxErrors { get; set; }
    public ulong RxDropped { get; set; }
    public ulong TxBytes { get; set; }
    public ulong TxPackets { get; set; }
    public ulong TxErrors { get; set; }
    public ulong TxDropped { get; set; }
}
