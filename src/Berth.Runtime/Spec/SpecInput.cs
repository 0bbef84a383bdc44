namespace Berth.Runtime.Spec;

/// <summary>
/// Everything the spec builder needs, already read from disk: the container service maps
/// Docker's Config/HostConfig and the daemon configuration onto these records, and reads
/// the image's /etc/passwd and /etc/group from the rootfs. The builder itself does no I/O;
/// host facts arrive as values or through the small resolver interfaces.
/// </summary>
public sealed record SpecInput
{
    public required string ContainerId { get; init; }
    public ImageConfigInput Image { get; init; } = new();
    public ContainerConfigInput Config { get; init; } = new();
    public HostConfigInput HostConfig { get; init; } = new();
    public DaemonSpecDefaults Daemon { get; init; } = new();
    public required SpecPaths Paths { get; init; }

    /// <summary>Text of the image's /etc/passwd and /etc/group; null when the file is absent.</summary>
    public string? PasswdText { get; init; }
    public string? GroupText { get; init; }

    /// <summary>Binds, volumes and --mount tmpfs with host sources resolved (dockerd's container mounts).</summary>
    public IReadOnlyList<Berth.Engine.Mounts.RuntimeMount> Mounts { get; init; } = [];

    public IHostDeviceResolver Devices { get; init; } = NoHostDevices.Instance;
    public INamespacePathResolver Namespaces { get; init; } = NoNamespacePaths.Instance;
}

/// <summary>The runnable bits of the image config.</summary>
public sealed record ImageConfigInput
{
    public IReadOnlyList<string>? Env { get; init; }
    public IReadOnlyList<string>? Cmd { get; init; }
    public IReadOnlyList<string>? Entrypoint { get; init; }
    public string? WorkingDir { get; init; }
    public string? User { get; init; }
}

/// <summary>
/// The container's Config as the client sent it. Entrypoint keeps the null/empty
/// distinction dockerd relies on: null inherits the image's, [] or [""] resets it.
/// </summary>
public sealed record ContainerConfigInput
{
    public IReadOnlyList<string>? Cmd { get; init; }
    public IReadOnlyList<string>? Entrypoint { get; init; }
    public IReadOnlyList<string>? Env { get; init; }
    public string? WorkingDir { get; init; }
    public string? User { get; init; }
    public string Hostname { get; init; } = "";
    public string Domainname { get; init; } = "";
    public bool Tty { get; init; }
    public bool OpenStdin { get; init; }
}

public sealed record HostConfigInput
{
    public bool Privileged { get; init; }
    public IReadOnlyList<string> CapAdd { get; init; } = [];
    public IReadOnlyList<string> CapDrop { get; init; } = [];
    public bool ReadonlyRootfs { get; init; }
    public IReadOnlyList<string> SecurityOpt { get; init; } = [];
    public IReadOnlyList<DeviceMapping> Devices { get; init; } = [];
    public IReadOnlyList<Ulimit> Ulimits { get; init; } = [];
    public IReadOnlyDictionary<string, string> Sysctls { get; init; } = new Dictionary<string, string>();
    /// <summary>Bytes; 0 means the default 64 MiB.</summary>
    public long ShmSize { get; init; }
    /// <summary>Destination → comma-separated tmpfs options.</summary>
    public IReadOnlyDictionary<string, string> Tmpfs { get; init; } = new Dictionary<string, string>();
    /// <summary>null follows the daemon's default (--init).</summary>
    public bool? Init { get; init; }
    public int OomScoreAdj { get; init; }
    public string IpcMode { get; init; } = "";
    public string PidMode { get; init; } = "";
    public string UtsMode { get; init; } = "";
    public string NetworkMode { get; init; } = "";
    public string CgroupnsMode { get; init; } = "";
    public string CgroupParent { get; init; } = "";
    public IReadOnlyList<uint> GroupAdd { get; init; } = [];
    public ResourcesInput Resources { get; init; } = new();
    public IReadOnlyDictionary<string, string>? Annotations { get; init; }
    /// <summary>Initial console size [height, width] for a TTY.</summary>
    public (uint Height, uint Width) ConsoleSize { get; init; }
}

public sealed record ResourcesInput
{
    public long Memory { get; init; }
    public long MemoryReservation { get; init; }
    public long MemorySwap { get; init; }
    public long? MemorySwappiness { get; init; }
    public bool? OomKillDisable { get; init; }
    public long CpuShares { get; init; }
    public long NanoCpus { get; init; }
    public long CpuPeriod { get; init; }
    public long CpuQuota { get; init; }
    public string CpusetCpus { get; init; } = "";
    public string CpusetMems { get; init; } = "";
    public long? PidsLimit { get; init; }
    public ushort BlkioWeight { get; init; }
    /// <summary>--blkio-weight-device and the throttles, device numbers already resolved.</summary>
    public IReadOnlyList<BlkioDeviceInput> BlkioWeightDevice { get; init; } = [];
    public IReadOnlyList<BlkioDeviceInput> BlkioReadBps { get; init; } = [];
    public IReadOnlyList<BlkioDeviceInput> BlkioWriteBps { get; init; } = [];
    public IReadOnlyList<BlkioDeviceInput> BlkioReadIops { get; init; } = [];
    public IReadOnlyList<BlkioDeviceInput> BlkioWriteIops { get; init; } = [];
}

public sealed record BlkioDeviceInput(long Major, long Minor, ulong Value);

public sealed record DeviceMapping(string PathOnHost, string PathInContainer, string CgroupPermissions);

public sealed record Ulimit(string Name, long Soft, long Hard);

/// <summary>Daemon-wide settings that shape every spec.</summary>
public sealed record DaemonSpecDefaults
{
    /// <summary>Parent of every container cgroup; the spec gets "&lt;parent&gt;/&lt;id&gt;".</summary>
    public string CgroupParent { get; init; } = "/docker";
    public IReadOnlyList<Ulimit> DefaultUlimits { get; init; } = [];
    /// <summary>The daemon's bounding set (CapBnd of /proc/self/status); null = all known.</summary>
    public IReadOnlyList<string>? CapabilityBoundingSet { get; init; }
    public bool Init { get; init; }
    /// <summary>Host path of docker-init (tini); bind-mounted at /sbin/docker-init.</summary>
    public string InitPath { get; init; } = "/usr/libexec/docker/docker-init";
    public bool NoNewPrivileges { get; init; }
    /// <summary>cgroup v2 hosts default to a private cgroup namespace, v1 hosts to the host's.</summary>
    public bool CgroupV2 { get; init; } = true;
    /// <summary>Seccomp is applied only when the kernel supports it.</summary>
    public bool SeccompSupported { get; init; } = true;
    /// <summary>Kernel release, for profile rules with minKernel; "" = assume new enough.</summary>
    public string KernelVersion { get; init; } = "";
    /// <summary>GOARCH spelling of the host ("amd64", "arm64"), for arches includes/excludes.</summary>
    public string Architecture { get; init; } = "amd64";
    /// <summary>
    /// Seccomp architectures (SCMP_ARCH_*) whose syscall ABI this kernel cannot execute; the
    /// built-in profile leaves them out. A filter section for an ABI nobody can enter only
    /// costs: x32's made runc spend ~12 ms more CPU per container start (measured).
    /// </summary>
    public IReadOnlyList<string> UnusableSeccompArchitectures { get; init; } = [];
    /// <summary>Per-CPU thermal_throttle paths that exist on this host; masked like dockerd does.</summary>
    public IReadOnlyList<string> ExtraMaskedPaths { get; init; } = [];
}

/// <summary>Host paths the container's mounts come from.</summary>
public sealed record SpecPaths
{
    public required string Rootfs { get; init; }
    /// <summary>Files to bind at /etc/hostname, /etc/hosts, /etc/resolv.conf; null skips one.</summary>
    public string? HostnamePath { get; init; }
    public string? HostsPath { get; init; }
    public string? ResolvConfPath { get; init; }
    /// <summary>A shareable or shared /dev/shm mounted by the daemon; null = private tmpfs.</summary>
    public string? ShmPath { get; init; }
    /// <summary>Network namespace prepared by networking; null = a new empty netns.</summary>
    public string? NetworkNamespacePath { get; init; }
}
