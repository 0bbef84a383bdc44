namespace Berth.Networking.Dns;

/// <summary>
/// The embedded DNS's view of who is where: per user-defined network, the endpoints of running
/// containers with their names and addresses; per container, its networks in the order it joined
/// them (that order decides which network answers first). Fed by endpoint events; read on every
/// query through cached immutable snapshots, rebuilt only when something changes.
/// </summary>
public sealed class DnsRecords
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, NetworkEntry> _networks = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<string>> _containerNetworks = new(StringComparer.Ordinal);
    private readonly Dictionary<string, IReadOnlyList<DnsNetworkView>> _views = new(StringComparer.Ordinal);

    /// <summary>Adds or replaces one container's endpoint on one network.</summary>
    public void Add(string networkId, string networkName, DnsEndpoint endpoint)
    {
        lock (_lock)
        {
            if (!_networks.TryGetValue(networkId, out var network))
            {
                _networks[networkId] = network = new NetworkEntry(networkName);
            }
            network.Endpoints[endpoint.ContainerId] = endpoint;
            network.Rebuild();
            if (!_containerNetworks.TryGetValue(endpoint.ContainerId, out var joined))
            {
                _containerNetworks[endpoint.ContainerId] = joined = [];
            }
            if (!joined.Contains(networkId))
            {
                joined.Add(networkId);
            }
            _views.Clear();
        }
    }

    public void Remove(string networkId, string containerId)
    {
        lock (_lock)
        {
            if (_networks.TryGetValue(networkId, out var network) && network.Endpoints.Remove(containerId))
            {
                if (network.Endpoints.Count == 0)
                {
                    _networks.Remove(networkId);
                }
                else
                {
                    network.Rebuild();
                }
            }
            if (_containerNetworks.TryGetValue(containerId, out var joined))
            {
                joined.Remove(networkId);
                if (joined.Count == 0)
                {
                    _containerNetworks.Remove(containerId);
                }
            }
            _views.Clear();
        }
    }

    /// <summary>True while the container has at least one endpoint recorded here.</summary>
    public bool HasEndpoints(string containerId)
    {
        lock (_lock)
        {
            return _containerNetworks.ContainsKey(containerId);
        }
    }

    /// <summary>The networks <paramref name="containerId"/> is on, each with all its endpoints (cached until the next change).</summary>
    public IReadOnlyList<DnsNetworkView> ViewFor(string containerId)
    {
        lock (_lock)
        {
            if (_views.TryGetValue(containerId, out var cached))
            {
                return cached;
            }
            IReadOnlyList<DnsNetworkView> view = _containerNetworks.TryGetValue(containerId, out var joined)
                ? [.. joined.Where(_networks.ContainsKey).Select(id => _networks[id].View!)]
                : [];
            _views[containerId] = view;
            return view;
        }
    }

    private sealed class NetworkEntry(string name)
    {
        public Dictionary<string, DnsEndpoint> Endpoints { get; } = new(StringComparer.Ordinal);
        public DnsNetworkView? View { get; private set; }

        public void Rebuild() => View = new DnsNetworkView(name, [.. Endpoints.Values]);
    }
}
