namespace Berth.Engine.Networks;

/// <summary>One IPAM pool of a network as the API shows it (only non-empty fields are sent).</summary>
public sealed record IpamPoolConfig(string Subnet, string? IPRange, string Gateway, IReadOnlyDictionary<string, string>? AuxiliaryAddresses)
{
    /// <summary>The subnet was given by the user (libnetwork IpamConf.IsStatic): only then may containers ask for a static --ip.</summary>
    public bool UserSubnet { get; init; }
}

/// <summary>
/// A network as stored and as the service reasons about it. Builtin networks (bridge, host,
/// none) are records too, so lookups, filters and listings treat all networks alike.
/// </summary>
public sealed record NetworkRecord
{
    public required string Id { get; init; }
    public required string Name { get; init; }

    /// <summary>"bridge", "host" or "null".</summary>
    public required string Driver { get; init; }
    public required DateTimeOffset Created { get; init; }
    public bool Internal { get; init; }
    public bool Attachable { get; init; }
    public bool EnableIPv6 { get; init; }
    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();

    /// <summary>Driver options as the client gave them (the default bridge gets dockerd's full set).</summary>
    public IReadOnlyDictionary<string, string> Options { get; init; } = new Dictionary<string, string>();
    public string IpamDriver { get; init; } = "default";
    public IReadOnlyDictionary<string, string>? IpamOptions { get; init; }
    public IReadOnlyList<IpamPoolConfig> IpamConfig { get; init; } = [];

    /// <summary>The Linux bridge device ("" for host/none).</summary>
    public string BridgeName { get; init; } = "";

    /// <summary>Created by the daemon itself (bridge, host, none): cannot be removed or pruned.</summary>
    public bool Predefined { get; init; }
}

/// <summary>One active endpoint on a network, as network inspect's Containers map shows it (IPv4Address is "a.b.c.d/len").</summary>
public sealed record NetworkEndpoint(string ContainerId, string Name, string EndpointId, string MacAddress, string IPv4Address, string IPv6Address);

/// <summary>POST /networks/create, decoded.</summary>
public sealed record NetworkCreateRequest
{
    public string Name { get; init; } = "";
    public bool CheckDuplicate { get; init; }
    public string? Driver { get; init; }
    public string? Scope { get; init; }
    public bool Internal { get; init; }
    public bool Attachable { get; init; }
    public bool Ingress { get; init; }
    public bool ConfigOnly { get; init; }
    public string? ConfigFrom { get; init; }
    public bool? EnableIPv6 { get; init; }
    public IReadOnlyDictionary<string, string>? Labels { get; init; }
    public IReadOnlyDictionary<string, string>? Options { get; init; }
    public string? IpamDriver { get; init; }
    public IReadOnlyDictionary<string, string>? IpamOptions { get; init; }
    public IReadOnlyList<IpamPoolRequest> IpamConfig { get; init; } = [];
}

/// <summary>One requested pool; every field optional.</summary>
public sealed record IpamPoolRequest(string? Subnet, string? IPRange, string? Gateway, IReadOnlyDictionary<string, string>? AuxiliaryAddresses);

/// <summary>The answer to a create: dockerd sends Warning even when empty.</summary>
public sealed record NetworkCreated(string Id, string Warning);
