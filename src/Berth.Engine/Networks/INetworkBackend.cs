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

    /// <summary>The active endpoints of a network (running containers attached to it).</summary>
    IReadOnlyList<NetworkEndpoint> Endpoints(string networkId);

    void Remove(string idOrName);

    /// <summary>Removes unused custom networks matching until/label filters; returns their names.</summary>
    IReadOnlyList<string> Prune(FilterArgs filters);

    /// <summary>POST /networks/{id}/connect: the container is found first (404), then the network.</summary>
    Task ConnectAsync(string idOrName, string container, EndpointSettings config, CancellationToken cancellationToken = default);

    Task DisconnectAsync(string idOrName, string container, bool force, CancellationToken cancellationToken = default);
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
