using System.Text.Json.Serialization;

namespace Berth.Runtime.Spec;

public sealed class OciLinux
{
    [JsonPropertyName("uidMappings")]
    public List<OciIdMapping>? UidMappings { get; set; }

    [JsonPropertyName("gidMappings")]
    public List<OciIdMapping>? GidMappings { get; set; }

    public SortedDictionary<string, string>? Sysctl { get; set; }
    public OciResources? Resources { get; set; }
    public string? CgroupsPath { get; set; }
    public List<OciNamespace> Namespaces { get; set; } = [];
    public List<OciDevice>? Devices { get; set; }
    public OciSeccomp? Seccomp { get; set; }
    public string? RootfsPropagation { get; set; }
    public List<string>? MaskedPaths { get; set; }
    public List<string>? ReadonlyPaths { get; set; }
    public string? MountLabel { get; set; }
}

public sealed class OciIdMapping
{
    [JsonPropertyName("containerID")]
    public uint ContainerId { get; set; }

    [JsonPropertyName("hostID")]
    public uint HostId { get; set; }

    public uint Size { get; set; }
}

public sealed class OciNamespace
{
    public string Type { get; set; } = "";
    public string? Path { get; set; }
}

public sealed class OciDevice
{
    public string Path { get; set; } = "";
    public string Type { get; set; } = "";
    public long Major { get; set; }
    public long Minor { get; set; }
    public uint? FileMode { get; set; }
    public uint? Uid { get; set; }
    public uint? Gid { get; set; }
}

public sealed class OciResources
{
    public List<OciDeviceCgroup>? Devices { get; set; }
    public OciMemory? Memory { get; set; }
    public OciCpu? Cpu { get; set; }
    public OciPids? Pids { get; set; }

    [JsonPropertyName("blockIO")]
    public OciBlockIo? BlockIo { get; set; }
}

/// <summary>A device cgroup rule. Allow is always written: a rule without it would mean deny.</summary>
public sealed class OciDeviceCgroup
{
    public bool Allow { get; set; }
    public string? Type { get; set; }
    public long? Major { get; set; }
    public long? Minor { get; set; }
    public string? Access { get; set; }
}

public sealed class OciMemory
{
    public long? Limit { get; set; }
    public long? Reservation { get; set; }
    public long? Swap { get; set; }
    public ulong? Swappiness { get; set; }

    [JsonPropertyName("disableOOMKiller")]
    public bool? DisableOomKiller { get; set; }
}

public sealed class OciCpu
{
    public ulong? Shares { get; set; }
    public long? Quota { get; set; }
    public ulong? Period { get; set; }
    public string? Cpus { get; set; }
    public string? Mems { get; set; }
}

public sealed class OciPids
{
    public long Limit { get; set; }
}

public sealed class OciBlockIo
{
    public ushort? Weight { get; set; }
    public List<OciWeightDevice>? WeightDevice { get; set; }
    public List<OciThrottleDevice>? ThrottleReadBpsDevice { get; set; }
    public List<OciThrottleDevice>? ThrottleWriteBpsDevice { get; set; }

    [JsonPropertyName("throttleReadIOPSDevice")]
    public List<OciThrottleDevice>? ThrottleReadIopsDevice { get; set; }

    [JsonPropertyName("throttleWriteIOPSDevice")]
    public List<OciThrottleDevice>? ThrottleWriteIopsDevice { get; set; }
}

public sealed class OciWeightDevice
{
    public long Major { get; set; }
    public long Minor { get; set; }
    public ushort? Weight { get; set; }
}

public sealed class OciThrottleDevice
{
    public long Major { get; set; }
    public long Minor { get; set; }
    public ulong Rate { get; set; }
}

public sealed class OciSeccomp
{
    public string DefaultAction { get; set; } = "";
    public uint? DefaultErrnoRet { get; set; }
    public List<string>? Architectures { get; set; }
    public List<string>? Flags { get; set; }
    public List<OciSyscall> Syscalls { get; set; } = [];
}

public sealed class OciSyscall
{
    public List<string> Names { get; set; } = [];
    public string Action { get; set; } = "";
    public uint? ErrnoRet { get; set; }
    public List<OciSyscallArg>? Args { get; set; }
}

public sealed class OciSyscallArg
{
    public uint Index { get; set; }
    public ulong Value { get; set; }
    public ulong? ValueTwo { get; set; }
    public string Op { get; set; } = "";
}
