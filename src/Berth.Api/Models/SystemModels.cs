using System.Text.Json.Serialization;
using Berth.Api.Models;

namespace Berth.Api.Models
{
    /// <summary>GET /version body.</summary>
    public sealed record VersionResponse(
        PlatformName Platform,
        IReadOnlyList<ComponentWire> Components,
        string Version,
        string ApiVersion,
        string MinAPIVersion,
        string GitCommit,
        string GoVersion,
        string Os,
        string Arch,
        string KernelVersion,
        bool Experimental,
        string BuildTime);

    public sealed record PlatformName(string Name);

    public sealed record ComponentWire(string Name, string Version, IReadOnlyDictionary<string, string>? Details);

    /// <summary>GET /info body (the fields dockerd 1.44 sends that apply to a non-swarm Linux engine).</summary>
    public sealed record InfoResponse
    {
        public required string ID { get; init; }
        public int Containers { get; init; }
        public int ContainersRunning { get; init; }
        public int ContainersPaused { get; init; }
        public int ContainersStopped { get; init; }
        public int Images { get; init; }
        public required string Driver { get; init; }
        public required IReadOnlyList<string[]> DriverStatus { get; init; }
        public required string DockerRootDir { get; init; }
        public required PluginsInfo Plugins { get; init; }
        public bool MemoryLimit { get; init; }
        public bool SwapLimit { get; init; }
        public bool CpuCfsPeriod { get; init; }
        public bool CpuCfsQuota { get; init; }
        public bool CPUShares { get; init; }
        public bool CPUSet { get; init; }
        public bool PidsLimit { get; init; }
        public bool OomKillDisable { get; init; }
        public bool IPv4Forwarding { get; init; }
        public bool BridgeNfIptables { get; init; }
        public bool BridgeNfIp6tables { get; init; }
        public bool Debug { get; init; }
        public int NFd { get; init; }
        public int NGoroutines { get; init; }
        public required string SystemTime { get; init; }
        public required string LoggingDriver { get; init; }
        public required string CgroupDriver { get; init; }
        public required string CgroupVersion { get; init; }
        public int NEventsListener { get; init; }
        public required string KernelVersion { get; init; }
        public required string OperatingSystem { get; init; }
        public required string OSVersion { get; init; }
        public string OSType { get; init; } = "linux";
        public required string Architecture { get; init; }
        public int NCPU { get; init; }
        public long MemTotal { get; init; }
        public string IndexServerAddress { get; init; } = "https://index.docker.io/v1/";
        public required RegistryConfigWire RegistryConfig { get; init; }
        public IReadOnlyList<string>? GenericResources { get; init; }
        public string HttpProxy { get; init; } = "";
        public string HttpsProxy { get; init; } = "";
        public string NoProxy { get; init; } = "";
        public required string Name { get; init; }
        public required IReadOnlyList<string> Labels { get; init; }
        public bool ExperimentalBuild { get; init; }
        public required string ServerVersion { get; init; }
        public required IReadOnlyDictionary<string, RuntimeWire> Runtimes { get; init; }
        public required string DefaultRuntime { get; init; }
        public SwarmInfo Swarm { get; init; } = new();
        public bool LiveRestoreEnabled { get; init; }
        public string Isolation { get; init; } = "";
        public string InitBinary { get; init; } = "docker-init";
        public required CommitWire ContainerdCommit { get; init; }
        public required CommitWire RuncCommit { get; init; }
        public required CommitWire InitCommit { get; init; }
        public required IReadOnlyList<string> SecurityOptions { get; init; }
        public IReadOnlyList<AddressPoolWire>? DefaultAddressPools { get; init; }
        public required IReadOnlyList<string> Warnings { get; init; }
    }

    public sealed record PluginsInfo(IReadOnlyList<string> Volume, IReadOnlyList<string> Network, IReadOnlyList<string>? Authorization, IReadOnlyList<string> Log);

    public sealed record RegistryConfigWire(
        IReadOnlyList<string> AllowNondistributableArtifactsCIDRs,
        IReadOnlyList<string> AllowNondistributableArtifactsHostnames,
        IReadOnlyList<string> InsecureRegistryCIDRs,
        IReadOnlyDictionary<string, IndexInfoWire> IndexConfigs,
        IReadOnlyList<string> Mirrors);

    public sealed record IndexInfoWire(string Name, IReadOnlyList<string> Mirrors, bool Secure, bool Official);

    public sealed record RuntimeWire([property: JsonPropertyName("path")] string Path)
    {
        [JsonPropertyName("runtimeArgs")]
        [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
        public IReadOnlyList<string>? RuntimeArgs { get; init; }
    }

    public sealed record CommitWire(string ID, string Expected);

    public sealed record AddressPoolWire(string Base, int Size);

    /// <summary>A non-swarm node, as dockerd reports it.</summary>
    public sealed record SwarmInfo
    {
        public string NodeID { get; init; } = "";
        public string NodeAddr { get; init; } = "";
        public string LocalNodeState { get; init; } = "inactive";
        public bool ControlAvailable { get; init; }
        public string Error { get; init; } = "";
        public IReadOnlyList<string>? RemoteManagers { get; init; }
    }
}

namespace Berth.Api.Http
{
    /// <summary>Serializers for the system endpoints (one context per area: the generator cannot merge partial parts).</summary>
    [JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
    [JsonSerializable(typeof(VersionResponse))]
    [JsonSerializable(typeof(InfoResponse))]
    public sealed partial class SystemJsonContext : JsonSerializerContext;
}
