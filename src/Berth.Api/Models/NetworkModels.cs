using System.Text.Json.Serialization;
using Berth.Api.Models;

namespace Berth.Api.Models
{
    /// <summary>NetworkResource of GET /networks and /networks/{id}, fields in dockerd's order.</summary>
    public sealed record NetworkResourceWire(
        string Name,
        string Id,
        string Created,
        string Scope,
        string Driver,
        bool EnableIPv6,
        IpamWire IPAM,
        bool Internal,
        bool Attachable,
        bool Ingress,
        ConfigReferenceWire ConfigFrom,
        bool ConfigOnly,
        IReadOnlyDictionary<string, EndpointResourceWire> Containers,
        IReadOnlyDictionary<string, string> Options,
        IReadOnlyDictionary<string, string> Labels);

    public sealed record IpamWire(string Driver, IReadOnlyDictionary<string, string>? Options, IReadOnlyList<IpamConfigWire> Config);

    /// <summary>IPAMConfig: every field omitempty, as in moby's api/types/network.</summary>
    public sealed record IpamConfigWire(
        [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Subnet,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? IPRange,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Gateway,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyDictionary<string, string>? AuxiliaryAddresses);

    public sealed record ConfigReferenceWire(string Network);

    public sealed record EndpointResourceWire(string Name, string EndpointID, string MacAddress, string IPv4Address, string IPv6Address);

    /// <summary>POST /networks/create body. Properties are settable classes so absent fields stay null.</summary>
    public sealed class NetworkCreateWire
    {
        public string? Name { get; set; }
        public bool CheckDuplicate { get; set; }
        public string? Driver { get; set; }
        public string? Scope { get; set; }
        public bool Internal { get; set; }
        public bool Attachable { get; set; }
        public bool Ingress { get; set; }
        public bool ConfigOnly { get; set; }
        public ConfigReferenceWire? ConfigFrom { get; set; }
        public IpamRequestWire? IPAM { get; set; }
        public bool? EnableIPv6 { get; set; }
        public Dictionary<string, string>? Options { get; set; }
        public Dictionary<string, string>? Labels { get; set; }
    }

    public sealed class IpamRequestWire
    {
        public string? Driver { get; set; }
        public List<IpamConfigWire>? Config { get; set; }
        public Dictionary<string, string>? Options { get; set; }
    }

    public sealed record NetworkCreateResponseWire(string Id, string Warning);

    public sealed record NetworkPruneResponseWire(IReadOnlyList<string>? NetworksDeleted);

    /// <summary>POST /networks/{id}/connect and /disconnect bodies.</summary>
    public sealed class NetworkConnectWire
    {
        public string? Container { get; set; }
        public EndpointSettingsWire? EndpointConfig { get; set; }
        public bool Force { get; set; }
    }

    /// <summary>
    /// moby network.EndpointSettings, in its field order: the request shape of create's
    /// EndpointsConfig and of connect, and the shape inspect and list show.
    /// </summary>
    public sealed class EndpointSettingsWire
    {
        public EndpointIpamWire? IPAMConfig { get; set; }
        public List<string>? Links { get; set; }
        public List<string>? Aliases { get; set; }
        public string? MacAddress { get; set; }
        public Dictionary<string, string>? DriverOpts { get; set; }
        public string? NetworkID { get; set; }
        public string? EndpointID { get; set; }
        public string? Gateway { get; set; }
        public string? IPAddress { get; set; }
        public int IPPrefixLen { get; set; }
        public string? IPv6Gateway { get; set; }
        public string? GlobalIPv6Address { get; set; }
        public int GlobalIPv6PrefixLen { get; set; }
        public List<string>? DNSNames { get; set; }
    }

    /// <summary>EndpointIPAMConfig; every field omitempty.</summary>
    public sealed class EndpointIpamWire
    {
        [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? IPv4Address { get; set; }
        [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? IPv6Address { get; set; }
        [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public List<string>? LinkLocalIPs { get; set; }
    }

    /// <summary>NetworkingConfig of POST /containers/create.</summary>
    public sealed class NetworkingConfigWire
    {
        public Dictionary<string, EndpointSettingsWire?>? EndpointsConfig { get; set; }
    }
}

namespace Berth.Api.Http
{
    [JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.Never, PropertyNameCaseInsensitive = true)]
    [JsonSerializable(typeof(NetworkResourceWire))]
    [JsonSerializable(typeof(List<NetworkResourceWire>))]
    [JsonSerializable(typeof(NetworkCreateWire))]
    [JsonSerializable(typeof(NetworkCreateResponseWire))]
    [JsonSerializable(typeof(NetworkPruneResponseWire))]
    [JsonSerializable(typeof(NetworkConnectWire))]
    public sealed partial class NetworksJsonContext : JsonSerializerContext;
}
