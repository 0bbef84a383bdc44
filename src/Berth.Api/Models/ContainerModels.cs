using System.Text.Json;
using Berth.Api.Models;
using System.Text.Json.Serialization;
using Berth.Engine.Images;

namespace Berth.Api.Models
{
    /// <summary>
    /// POST /containers/create body: moby container.Config at the top level plus HostConfig and
    /// NetworkingConfig. Everything optional: the mapping applies dockerd's defaults.
    /// </summary>
    public sealed record ContainerCreateWire
    {
        public string? Hostname { get; init; }
        public string? Domainname { get; init; }
        public string? User { get; init; }
        public bool? AttachStdin { get; init; }
        public bool? AttachStdout { get; init; }
        public bool? AttachStderr { get; init; }
        public Dictionary<string, EmptyObject?>? ExposedPorts { get; init; }
        public bool? Tty { get; init; }
        public bool? OpenStdin { get; init; }
        public bool? StdinOnce { get; init; }
        public List<string>? Env { get; init; }
        [JsonConverter(typeof(StrSliceConverter))] public List<string>? Cmd { get; init; }
        public HealthConfigWire? Healthcheck { get; init; }
        public bool? ArgsEscaped { get; init; }
        public string? Image { get; init; }
        public Dictionary<string, EmptyObject?>? Volumes { get; init; }
        public string? WorkingDir { get; init; }
        [JsonConverter(typeof(StrSliceConverter))] public List<string>? Entrypoint { get; init; }
        public bool? NetworkDisabled { get; init; }
        public string? MacAddress { get; init; }
        public List<string>? OnBuild { get; init; }
        public Dictionary<string, string>? Labels { get; init; }
        public string? StopSignal { get; init; }
        public int? StopTimeout { get; init; }
        [JsonConverter(typeof(StrSliceConverter))] public List<string>? Shell { get; init; }
        public HostConfigWire? HostConfig { get; init; }
        public NetworkingConfigWire? NetworkingConfig { get; init; }
    }

    public sealed record RestartPolicyWire(string? Name, int? MaximumRetryCount);

    public sealed record LogConfigWire(string? Type, Dictionary<string, string>? Config);

    public sealed record DeviceMappingWire(string? PathOnHost, string? PathInContainer, string? CgroupPermissions);

    public sealed record UlimitWire(string? Name, long? Soft, long? Hard);

    public sealed record PortBindingWire(string? HostIp, string? HostPort);

    /// <summary>moby container.HostConfig (the fields Berth acts on or echoes); request and inspect shape.</summary>
    public sealed record HostConfigWire
    {
        public List<string>? Binds { get; init; }
        [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public List<MountWire>? Mounts { get; init; }
        public string? ContainerIDFile { get; init; }
        public LogConfigWire? LogConfig { get; init; }
        public string? NetworkMode { get; init; }
        public Dictionary<string, List<PortBindingWire>?>? PortBindings { get; init; }
        public RestartPolicyWire? RestartPolicy { get; init; }
        public bool? AutoRemove { get; init; }
        public string? VolumeDriver { get; init; }
        public List<string>? VolumesFrom { get; init; }
        public List<int>? ConsoleSize { get; init; }
        public Dictionary<string, string>? Annotations { get; init; }
        public List<string>? CapAdd { get; init; }
        public List<string>? CapDrop { get; init; }
        public string? CgroupnsMode { get; init; }
        public List<string>? Dns { get; init; }
        public List<string>? DnsOptions { get; init; }
        public List<string>? DnsSearch { get; init; }
        public List<string>? ExtraHosts { get; init; }
        public List<string>? GroupAdd { get; init; }
        public string? IpcMode { get; init; }
        public string? Cgroup { get; init; }
        public List<string>? Links { get; init; }
        public int? OomScoreAdj { get; init; }
        public string? PidMode { get; init; }
        public bool? Privileged { get; init; }
        public bool? PublishAllPorts { get; init; }
        public bool? ReadonlyRootfs { get; init; }
        public List<string>? SecurityOpt { get; init; }
        public Dictionary<string, string>? StorageOpt { get; init; }
        public Dictionary<string, string>? Tmpfs { get; init; }
        public string? UTSMode { get; init; }
        public string? UsernsMode { get; init; }
        public long? ShmSize { get; init; }
        public Dictionary<string, string>? Sysctls { get; init; }
        public string? Runtime { get; init; }
        public string? Isolation { get; init; }
        public long? CpuShares { get; init; }
        public long? Memory { get; init; }
        public long? NanoCpus { get; init; }
        public string? CgroupParent { get; init; }
        public ushort? BlkioWeight { get; init; }
        public List<WeightDeviceWire>? BlkioWeightDevice { get; init; }
        public List<ThrottleDeviceWire>? BlkioDeviceReadBps { get; init; }
        public List<ThrottleDeviceWire>? BlkioDeviceWriteBps { get; init; }
        public List<ThrottleDeviceWire>? BlkioDeviceReadIOps { get; init; }
        public List<ThrottleDeviceWire>? BlkioDeviceWriteIOps { get; init; }
        public long? CpuPeriod { get; init; }
        public long? CpuQuota { get; init; }
        public long? CpuRealtimePeriod { get; init; }
        public long? CpuRealtimeRuntime { get; init; }
        public string? CpusetCpus { get; init; }
        public string? CpusetMems { get; init; }
        public List<DeviceMappingWire>? Devices { get; init; }
        public long? MemoryReservation { get; init; }
        public long? MemorySwap { get; init; }
        public long? MemorySwappiness { get; init; }
        public bool? OomKillDisable { get; init; }
        public long? PidsLimit { get; init; }
        public List<UlimitWire>? Ulimits { get; init; }
        public bool? Init { get; init; }
        public List<string>? MaskedPaths { get; init; }
        public List<string>? ReadonlyPaths { get; init; }
    }

    public sealed record ContainerCreateResponseWire(string Id, IReadOnlyList<string> Warnings);

    public sealed record WaitErrorWire(string Message);

    public sealed record ContainerWaitResponseWire(
        [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] WaitErrorWire? Error,
        long StatusCode);

    public sealed record ContainerStateWire(
        string Status, bool Running, bool Paused, bool Restarting, bool OOMKilled, bool Dead,
        int Pid, int ExitCode, string Error, string StartedAt, string FinishedAt,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] HealthWire? Health = null);

    /// <summary>moby NetworkSettings (API 1.44: the deprecated top-level fields mirror the default bridge).</summary>
    public sealed record NetworkSettingsWire
    {
        public string Bridge { get; init; } = "";
        public string SandboxID { get; init; } = "";
        public bool HairpinMode { get; init; }
        public string LinkLocalIPv6Address { get; init; } = "";
        public int LinkLocalIPv6PrefixLen { get; init; }
        public Dictionary<string, List<PortBindingWire>?> Ports { get; init; } = [];
        public string SandboxKey { get; init; } = "";
        public List<JsonElement>? SecondaryIPAddresses { get; init; }
        public List<JsonElement>? SecondaryIPv6Addresses { get; init; }
        public string EndpointID { get; init; } = "";
        public string Gateway { get; init; } = "";
        public string GlobalIPv6Address { get; init; } = "";
        public int GlobalIPv6PrefixLen { get; init; }
        public string IPAddress { get; init; } = "";
        public int IPPrefixLen { get; init; }
        public string IPv6Gateway { get; init; } = "";
        public string MacAddress { get; init; } = "";
        public SortedDictionary<string, EndpointSettingsWire> Networks { get; init; } = new(StringComparer.Ordinal);
    }

    /// <summary>GET /containers/{id}/json (moby types.ContainerJSON, the fields Berth has).</summary>
    public sealed record ContainerInspectWire
    {
        public required string Id { get; init; }
        public required string Created { get; init; }
        public required string Path { get; init; }
        public required IReadOnlyList<string> Args { get; init; }
        public required ContainerStateWire State { get; init; }
        public required string Image { get; init; }
        public required string ResolvConfPath { get; init; }
        public required string HostnamePath { get; init; }
        public required string HostsPath { get; init; }
        public required string LogPath { get; init; }
        public required string Name { get; init; }
        public int RestartCount { get; init; }
        public required string Driver { get; init; }
        public required string Platform { get; init; }
        public string MountLabel { get; init; } = "";
        public string ProcessLabel { get; init; } = "";
        public string AppArmorProfile { get; init; } = "";
        public IReadOnlyList<string>? ExecIDs { get; init; }
        public required HostConfigWire HostConfig { get; init; }
        public required GraphDriverWire GraphDriver { get; init; }
        public IReadOnlyList<MountPointWire> Mounts { get; init; } = [];
        public required ContainerConfigWire Config { get; init; }
        public required NetworkSettingsWire NetworkSettings { get; init; }
    }

    public sealed record SummaryHostConfigWire(string NetworkMode);

    public sealed record SummaryNetworkSettingsWire(SortedDictionary<string, EndpointSettingsWire> Networks);

    /// <summary>GET /containers/json item (moby types.Container).</summary>
    public sealed record ContainerSummaryWire
    {
        public required string Id { get; init; }
        public required IReadOnlyList<string> Names { get; init; }
        public required string Image { get; init; }
        public required string ImageID { get; init; }
        public required string Command { get; init; }
        public long Created { get; init; }
        public IReadOnlyList<PortWire> Ports { get; init; } = [];
        [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public long? SizeRw { get; init; }
        [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public long? SizeRootFs { get; init; }
        public required IReadOnlyDictionary<string, string> Labels { get; init; }
        public required string State { get; init; }
        public required string Status { get; init; }
        public required SummaryHostConfigWire HostConfig { get; init; }
        public required SummaryNetworkSettingsWire NetworkSettings { get; init; }
        public IReadOnlyList<MountPointWire> Mounts { get; init; } = [];
    }

    /// <summary>Docker's strslice: a JSON string or an array of strings (old clients send "Cmd": "ls").</summary>
    public sealed class StrSliceConverter : JsonConverter<List<string>?>
    {
        public override List<string>? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            switch (reader.TokenType)
            {
                case JsonTokenType.Null:
                    return null;
                case JsonTokenType.String:
                    return [reader.GetString()!];
                case JsonTokenType.StartArray:
                    var list = new List<string>();
                    while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                    {
                        list.Add(reader.TokenType == JsonTokenType.String ? reader.GetString()! : throw new JsonException("strslice: expected a string"));
                    }
                    return list;
                default:
                    throw new JsonException("strslice: expected a string or an array of strings");
            }
        }

        public override void Write(Utf8JsonWriter writer, List<string>? value, JsonSerializerOptions options)
        {
            if (value is null)
            {
                writer.WriteNullValue();
                return;
            }
            writer.WriteStartArray();
            foreach (string item in value)
            {
                writer.WriteStringValue(item);
            }
            writer.WriteEndArray();
        }

        public override bool HandleNull => true;
    }
}

namespace Berth.Api.Http
{
    /// <summary>Serializers for the container endpoints.</summary>
    [JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
    [JsonSerializable(typeof(ContainerCreateWire))]
    [JsonSerializable(typeof(ContainerCreateResponseWire))]
    [JsonSerializable(typeof(ContainerWaitResponseWire))]
    [JsonSerializable(typeof(ContainerInspectWire))]
    [JsonSerializable(typeof(IReadOnlyList<ContainerSummaryWire>))]
    public sealed partial class ContainersJsonContext : JsonSerializerContext;
}
