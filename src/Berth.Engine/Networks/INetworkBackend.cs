using Berth.Engine.Filters;

namespace Berth.Engine.Networks;

/// <summary>What the /networks routes need from the engine.</summary>
public interface INetworkBackend
{
    NetworkCreated Create(NetworkCreateRequest request);

    /// <summary>GET /networks: filters driver, id, label, name, scope, type, dangling.</summary>
    IReadOnlyList<NetworkRecord> List(FilterArgs filters);

    /// <summary>Finds by full id, exact name, then unique id prefix (dockerd's FindNetwork).</summary>
    NetworkRecord Inspect(string idOrName);

    /// <summary>The attachments of a network (empty until containers exist).</summary>
    IReadOnlyList<NetworkEndpoint> Endpoints(string networkId);

    void Remove(string idOrName);

    /// <summary>Removes unused custom networks matching until/label filters; returns their names.</summary>
    IReadOnlyList<string> Prune(FilterArgs filters);

    /// <summary>Attaches a container. Shaped for the container service; answers NotImplemented for now.</summary>
    void Connect(string idOrName, string container, NetworkAttachRequest request);

    void Disconnect(string idOrName, string container, bool force);
}

/// <summary>EndpointConfig of POST /networks/{id}/connect, the parts Berth will honour.</summary>
public sealed record NetworkAttachRequest(string? IPv4Address, IReadOnlyList<string>? Aliases, string? MacAddress);

/// <summary>
/// The hook the container service implements: which containers sit on a network. The network
/// service asks it before removing (in use → refused) and to fill inspect's Containers map.
/// </summary>
public interface INetworkEndpointSource
{
    IReadOnlyList<NetworkEndpoint> EndpointsOf(string networkId);
}

/// <summary>The source until containers exist: nothing is attached anywhere.</summary>
public sealed class NoNetworkEndpoints : INetworkEndpointSource
{
    public static NoNetworkEndpoints Instance { get; } = new();

    public IReadOnlyList<NetworkEndpoint> EndpointsOf(string networkId) => [];
}

/// <summary>Durable network state: records and the addresses handed out inside each network.</summary>
public interface INetworkStore
{
    IReadOnlyList<NetworkRecord> LoadNetworks();

    /// <summary>Inserts a network with its reserved addresses in one transaction; Conflict on a taken name.</summary>
    void InsertNetwork(NetworkRecord network, IReadOnlyDictionary<string, string> reservedAddresses);

    /// <summary>Deletes the network and its address allocations.</summary>
    void DeleteNetwork(string id);

    /// <summary>address → owner ("gateway", "aux:name", an endpoint id) for one network.</summary>
    IReadOnlyDictionary<string, string> LoadAddresses(string networkId);

    /// <summary>Records an allocation; false when the address is already taken.</summary>
    bool TryAddAddress(string networkId, string address, string owner);

    void RemoveAddress(string networkId, string address);
}
