namespace Berth.Engine.Errors;

/// <summary>Texts of the networks area, in dockerd's (daemon/network.go, libnetwork) wording.</summary>
public static partial class Messages
{
    public static string NetworkNotFound(string term) => $"network {term} not found";

    public static string NetworkAmbiguousName(string term, int count) => $"network {term} is ambiguous ({count} matches found on name)";

    public static string NetworkAmbiguousPrefix(string term, int count) => $"network {term} is ambiguous ({count} matches found based on ID prefix)";

    public static string NetworkNameExists(string name) => $"network with name {name} already exists";

    public static string PredefinedNetworkCreate(string name) => $"{name} is a pre-defined network and cannot be created";

    public static string PredefinedNetworkRemove(string name) => $"{name} is a pre-defined network and cannot be removed";

    public static string NetworkHasEndpoints(string name, string id) =>
        $"error while removing network: network {name} id {id} has active endpoints";

    public static string OnlyOneInstance(string driver) => $"only one instance of \"{driver}\" network is allowed";

    public const string NetworkNameRequired = "network name must not be empty";

    public const string Ipv6Unsupported = "Berth does not support IPv6 networks yet (EnableIPv6)";

    public const string SwarmScopeUnsupported = "Berth supports only local-scope networks";

    public const string ConfigOnlyUnsupported = "Berth does not support config-only networks (ConfigOnly/ConfigFrom)";

    public const string IngressUnsupported = "Berth does not support ingress networks";

    public const string ContainerNetworkingUnsupported = "containers are not supported yet";

    public static string IpamDriverUnsupported(string driver) => $"IPAM driver {driver} is not supported: only \"default\" is";

    public const string IpamMultipleV4Pools = "Berth supports one IPv4 pool per network";

    /// <summary>libnetwork ipam: a requested pool overlapping an allocated one.</summary>
    public const string PoolOverlaps = "Pool overlaps with other one on this address space";

    /// <summary>libnetwork ipamutils when every default pool is used.</summary>
    public const string NoAvailablePool =
        "could not find an available, non-overlapping IPv4 address pool among the defaults to assign to the network";

    public static string InvalidNetworkConfig(IReadOnlyList<string> errors) =>
        "invalid network config:\n" + (errors.Count == 1 ? errors[0] : "* " + string.Join("\n* ", errors));

    public static string InvalidDriverOption(string key, string value, string reason) =>
        $"invalid value {value} for option {key}: {reason}";

    public static string BridgeNameInUse(string name) => $"bridge name {name} is already in use by another network";

    public static string InvalidBridgeName(string name) => $"invalid bridge name {name}: at most 15 characters without '/', ':' or spaces";
}
