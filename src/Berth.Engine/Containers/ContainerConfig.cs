using System.Text.Json.Serialization;

namespace Berth.Engine.Containers;

/// <summary>
/// A container's Config as the API gives it (moby container.Config), after the create request
/// was normalised and merged with the image config. Engine record: the wire DTOs map onto it.
/// </summary>
public sealed record ContainerSettings
{
    public string Hostname { get; init; } = "";
    public string Domainname { get; init; } = "";
    public string User { get; init; } = "";
    public bool AttachStdin { get; init; }
    public bool AttachStdout { get; init; }
    public bool AttachStderr { get; init; }
    public IReadOnlyList<string>? ExposedPorts { get; init; }
    public bool Tty { get; init; }
    public bool OpenStdin { get; init; }
    public bool StdinOnce { get; init; }
    public IReadOnlyList<string>? Env { get; init; }
    public IReadOnlyList<string>? Cmd { get; init; }
    public HealthSettings? Healthcheck { get; init; }
    public bool ArgsEscaped { get; init; }
    /// <summary>The image as the client named it ("busybox"), not the id.</summary>
    public string Image { get; init; } = "";
    public IReadOnlyList<string>? Volumes { get; init; }
    public string WorkingDir { get; init; } = "";
    /// <summary>null inherits the image's; [] or [""] resets it (the distinction survives persistence).</summary>
    public IReadOnlyList<string>? Entrypoint { get; init; }
    public bool NetworkDisabled { get; init; }
    public string? MacAddress { get; init; }
    public IReadOnlyList<string>? OnBuild { get; init; }
    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();
    public string? StopSignal { get; init; }
    /// <summary>Seconds; null: the daemon default (10).</summary>
    public int? StopTimeout { get; init; }
    public IReadOnlyList<string>? Shell { get; init; }
}

/// <summary>moby container.HealthConfig; durations in nanoseconds as the API spells them.</summary>
public sealed record HealthSettings
{
    public IReadOnlyList<string>? Test { get; init; }
    public long Interval { get; init; }
    public long Timeout { get; init; }
    public long StartPeriod { get; init; }
    public long StartInterval { get; init; }
    public int Retries { get; init; }
}

public sealed record RestartPolicySettings(string Name = "", int MaximumRetryCount = 0);

public sealed record LogSettings(string Type = "json-file", IReadOnlyDictionary<string, string>? Config = null);

public sealed record DeviceSettings(string PathOnHost, string PathInContainer, string CgroupPermissions);

public sealed record UlimitSettings(string Name, long Soft, long Hard);

/// <summary>--blkio-weight-device: a device path and its weight (10-1000).</summary>
public sealed record WeightDeviceSettings(string Path, ushort Weight);

/// <summary>--device-read-bps and friends: a device path and its rate (bytes or operations per second).</summary>
public sealed record ThrottleDeviceSettings(string Path, ulong Rate);

/// <summary>A container's HostConfig as the API gives it (moby container.HostConfig), defaults applied.</summary>
public sealed record HostSettings
{
    public IReadOnlyList<string>? Binds { get; init; }
    public IReadOnlyList<Mounts.MountSettings>? Mounts { get; init; }
    public string ContainerIDFile { get; init; } = "";
    public LogSettings LogConfig { get; init; } = new();
    public string NetworkMode { get; init; } = "bridge";
    public IReadOnlyDictionary<string, IReadOnlyList<PortBindingSettings>>? PortBindings { get; init; }
    public RestartPolicySettings RestartPolicy { get; init; } = new("no");
    public bool AutoRemove { get; init; }
    public string VolumeDriver { get; init; } = "";
    public IReadOnlyList<string>? VolumesFrom { get; init; }
    public IReadOnlyList<int> ConsoleSize { get; init; } = [0, 0];
    public IReadOnlyDictionary<string, string>? Annotations { get; init; }
    public IReadOnlyList<string>? CapAdd { get; init; }
    public IReadOnlyList<string>? CapDrop { get; init; }
    public string CgroupnsMode { get; init; } = "";
    public IReadOnlyList<string> Dns { get; init; } = [];
    public IReadOnlyList<string> DnsOptions { get; init; } = [];
    public IReadOnlyList<string> DnsSearch { get; init; } = [];
    public IReadOnlyList<string>? ExtraHosts { get; init; }
    public IReadOnlyList<string>? GroupAdd { get; init; }
    public string IpcMode { get; init; } = "private";
    public string Cgroup { get; init; } = "";
    public IReadOnlyList<string>? Links { get; init; }
    public int OomScoreAdj { get; init; }
    public string PidMode { get; init; } = "";
    public bool Privileged { get; init; }
    public bool PublishAllPorts { get; init; }
    public bool ReadonlyRootfs { get; init; }
    public IReadOnlyList<string>? SecurityOpt { get; init; }
    public IReadOnlyDictionary<string, string>? StorageOpt { get; init; }
    public IReadOnlyDictionary<string, string>? Tmpfs { get; init; }
    public string UTSMode { get; init; } = "";
    public string UsernsMode { get; init; } = "";
    public long ShmSize { get; init; } = 64L * 1024 * 1024;
    public IReadOnlyDictionary<string, string>? Sysctls { get; init; }
    public string Runtime { get; init; } = "runc";
    public string Isolation { get; init; } = "";
    public long CpuShares { get; init; }
    public long Memory { get; init; }
    public long NanoCpus { get; init; }
    public string CgroupParent { get; init; } = "";
    public ushort BlkioWeight { get; init; }
    public IReadOnlyList<WeightDeviceSettings>? BlkioWeightDevice { get; init; }
    public IReadOnlyList<ThrottleDeviceSettings>? BlkioDeviceReadBps { get; init; }
    public IReadOnlyList<ThrottleDeviceSettings>? BlkioDeviceWriteBps { get; init; }
    public IReadOnlyList<ThrottleDeviceSettings>? BlkioDeviceReadIOps { get; init; }
    public IReadOnlyList<ThrottleDeviceSettings>? BlkioDeviceWriteIOps { get; init; }
    public long CpuPeriod { get; init; }
    public long CpuQuota { get; init; }
    public long CpuRealtimePeriod { get; init; }
    public long CpuRealtimeRuntime { get; init; }
    public string CpusetCpus { get; init; } = "";
    public string CpusetMems { get; init; } = "";
    public IReadOnlyList<DeviceSettings> Devices { get; init; } = [];
    public long MemoryReservation { get; init; }
    public long MemorySwap { get; init; }
    public long? MemorySwappiness { get; init; }
    public bool? OomKillDisable { get; init; }
    public long? PidsLimit { get; init; }
    public IReadOnlyList<UlimitSettings> Ulimits { get; init; } = [];
    public bool? Init { get; init; }
    public IReadOnlyList<string>? MaskedPaths { get; init; }
    public IReadOnlyList<string>? ReadonlyPaths { get; init; }
}

public sealed record PortBindingSettings(string HostIp, string HostPort);

/// <summary>What the client sent to POST /containers/create, already mapped from the wire.</summary>
public sealed record CreateRequest(string? Name, ContainerSettings Config, HostSettings HostConfig, string? Platform)
{
    /// <summary>NetworkingConfig.EndpointsConfig by the network name or id the client used.</summary>
    public IReadOnlyDictionary<string, Networks.EndpointSettings>? EndpointsConfig { get; init; }
}

/// <summary>201 body of create.</summary>
public sealed record CreateResult(string Id, IReadOnlyList<string> Warnings);

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, UseStringEnumConverter = true)]
[JsonSerializable(typeof(ContainerRecord))]
internal sealed partial class ContainerJsonContext : JsonSerializerContext;
