using Berth.Engine.Configuration;
using Berth.Engine.Errors;
using Berth.Engine.Events;
using Berth.Engine.Filters;
using Berth.Engine.Networks;
using Berth.Engine.State;
using Berth.Networking.Bridge;
using Berth.Networking.Firewall;
using Berth.Networking.Ipam;
using Microsoft.Extensions.Logging;

namespace Berth.Networking;

/// <summary>
/// Networks: the predefined bridge/host/none, user bridge networks, their devices and firewall
/// rules. The store is the truth; devices and rules are derived from it, at start-up
/// (<see cref="Initialize"/>) and after every change. Mutations are serialised by one lock.
/// </summary>
public sealed partial class NetworkService : INetworkBackend
{
    public const string BridgeNetwork = "bridge";
    private static readonly string[] Predefined = [BridgeNetwork, "host", "none"];

    private readonly Func<DaemonConfig> _config;
    private readonly INetworkStore _store;
    private readonly BridgeDevices _devices;
    private readonly Firewall.Firewall _firewall;
    private readonly IEventBus _events;
    private readonly TimeProvider _time;
    private readonly ILogger _log;
    private readonly Lock _lock = new();
    private readonly Dictionary<string, NetworkRecord> _networks = new(StringComparer.Ordinal);

    public NetworkService(Func<DaemonConfig> config, INetworkStore store, BridgeDevices devices, Firewall.Firewall firewall,
        IEventBus events, TimeProvider time, ILogger log)
    {
        _config = config;
        _store = store;
        _devices = devices;
        _firewall = firewall;
        _events = events;
        _time = time;
        _log = log;
    }

    /// <summary>The container side of connect/disconnect; set once the container service exists.</summary>
    public INetworkAttacher? Attacher { get; set; }

    /// <summary>
    /// Start-up: <see cref="Load"/> then <see cref="Reconcile"/>. The daemon calls the two apart so
    /// the slow half (netlink, iptables) runs after the API is already answering.
    /// </summary>
    public void Initialize()
    {
        Load();
        Reconcile();
    }

    /// <summary>
    /// Loads the stored networks and creates missing predefined ones (ids then stay stable).
    /// SQLite only: cheap enough to run before the listeners, so the first request sees them.
    /// </summary>
    public void Load()
    {
        lock (_lock)
        {
            var config = _config();
            foreach (var n in _store.LoadNetworks())
            {
                // The default bridge follows --bridge, --mtu, --icc, --ip-masq (and --bip/--fixed-cidr
                // when given) at every start, as dockerd's does; the stored record keeps its id.
                _networks[n.Id] = n.Predefined && n.Driver == "bridge"
                    ? n with
                    {
                        BridgeName = config.Bridge,
                        Options = DefaultBridgeOptions(config),
                        IpamConfig = config.Bip is not null || config.FixedCidr is not null ? [DefaultBridgePool(config, n.Id).Pool] : n.IpamConfig,
                    }
                    : n;
            }
            foreach (var name in Predefined)
            {
                if (!_networks.Values.Any(n => n.Name == name))
                {
                    var record = name == BridgeNetwork ? DefaultBridge() : PredefinedRecord(name);
                    _store.InsertNetwork(record, record.IpamConfig.Count > 0 ? new Dictionary<string, string> { [record.IpamConfig[0].Gateway] = IpamPlanner.GatewayOwner } : new Dictionary<string, string>());
                    _networks[record.Id] = record;
                }
            }
        }
    }

    /// <summary>
    /// Makes the host match the store: recreates missing bridges, deletes bridges of ours that no
    /// stored network owns, rewrites the firewall chains. Holds the service lock, so a create or
    /// remove that arrives meanwhile waits for it and then sees a reconciled host.
    /// </summary>
    public void Reconcile()
    {
        lock (_lock)
        {
            var removed = _devices.RemoveOrphans(_networks.Keys.ToHashSet());
            foreach (var device in removed)
            {
                LogOrphanRemoved(_log, device);
            }
            foreach (var n in BridgeNetworks())
            {
                EnsureDevice(n);
            }
            _firewall.Apply(RulesFor(BridgeNetworks()));
            if (IpForwarding.EnsureEnabled())
            {
                LogForwardingEnabled(_log);
            }
            Ports.RouteLocalnet.EnableBridgeNetfilter();
        }
    }

    public NetworkCreated Create(NetworkCreateRequest request)
    {
        ValidateRequest(request);
        string driver = string.IsNullOrEmpty(request.Driver) ? "bridge" : request.Driver;
        var options = DriverOptions.Parse(request.Options);
        lock (_lock)
        {
            if (_networks.Values.Any(n => n.Name == request.Name))
            {
                throw DaemonException.Conflict(Messages.NetworkNameExists(request.Name));
            }
            if (driver is "host" or "null")
            {
                throw DaemonException.Forbidden(Messages.OnlyOneInstance(driver));
            }
            if (driver != "bridge")
            {
                throw DaemonException.NotFound(Messages.PluginNotFound(driver));
            }
            var plan = IpamPlanner.Plan(request.IpamConfig, _config().DefaultAddressPools, UsedSubnets(), _devices.HostRoutes());
            string id = NewUniqueId();
            string bridge = options.BridgeName ?? "br-" + id[..IdGenerator.ShortLength];
            if (_networks.Values.Any(n => n.BridgeName == bridge) || _devices.IsTakenByOther(bridge, id))
            {
                throw DaemonException.Conflict(Messages.BridgeNameInUse(bridge));
            }
            var record = new NetworkRecord
            {
                Id = id,
                Name = request.Name,
                Driver = driver,
                Created = _time.GetUtcNow(),
                Internal = request.Internal,
                Attachable = request.Attachable,
                Labels = Copy(request.Labels),
                Options = Copy(request.Options),
                IpamDriver = "default",
                IpamOptions = request.IpamOptions is null ? null : Copy(request.IpamOptions),
                IpamConfig = [plan.Pool],
                BridgeName = bridge,
            };
            // Store first: a crash between here and the device leaves a record that start-up completes.
            _store.InsertNetwork(record, plan.Reserved);
            _networks[id] = record;
            try
            {
                EnsureDevice(record);
                _firewall.Apply(RulesFor(BridgeNetworks()));
            }
            catch (Exception e)
            {
                Undo(record);
                throw DaemonException.System($"failed to set up network {request.Name}: {e.Message}", e);
            }
            _events.Publish(EventTypes.Network, "create", id, Attributes(record));
            return new NetworkCreated(id, "");
        }
    }

    public IReadOnlyList<NetworkRecord> List(FilterArgs filters)
    {
        lock (_lock)
        {
            return NetworkFilters.ApplyList(_networks.Values.OrderBy(n => n.Created).ToList(), filters, HasEndpoints);
        }
    }

    public NetworkRecord Inspect(string idOrName)
    {
        lock (_lock)
        {
            return NetworkLookup.Find(_networks.Values, idOrName);
        }
    }

    public IReadOnlyList<NetworkEndpoint> Endpoints(string networkId) => EndpointList(networkId);

    public void Remove(string idOrName)
    {
        lock (_lock)
        {
            var n = NetworkLookup.Find(_networks.Values, idOrName);
            if (n.Predefined)
            {
                throw DaemonException.Forbidden(Messages.PredefinedNetworkRemove(n.Name));
            }
            RemoveLocked(n);
        }
    }

    public IReadOnlyList<string> Prune(FilterArgs filters)
    {
        lock (_lock)
        {
            var victims = NetworkFilters.ApplyPrune(_networks.Values.ToList(), filters, HasEndpoints, _time.GetUtcNow());
            var names = new List<string>();
            foreach (var n in victims)
            {
                RemoveLocked(n);
                names.Add(n.Name);
            }
            return names;
        }
    }

    public Task ConnectAsync(string idOrName, string container, EndpointSettings config, CancellationToken cancellationToken = default) =>
        (Attacher ?? throw DaemonException.NotImplemented(Messages.ContainerNetworkingUnsupported)).ConnectAsync(container, idOrName, config, cancellationToken);

    public Task DisconnectAsync(string idOrName, string container, bool force, CancellationToken cancellationToken = default) =>
        (Attacher ?? throw DaemonException.NotImplemented(Messages.ContainerNetworkingUnsupported)).DisconnectAsync(container, idOrName, force, cancellationToken);

    /// <summary>Removes every device and rule this daemon owns (tests and uninstall; not on shutdown).</summary>
    public void TearDownAll()
    {
        lock (_lock)
        {
            _devices.RemoveOrphans(new HashSet<string>());
            _firewall.RemoveAll();
        }
    }

    private void RemoveLocked(NetworkRecord n)
    {
        if (HasEndpoints(n))
        {
            throw DaemonException.Forbidden(Messages.NetworkHasEndpoints(n.Name, n.Id));
        }
        _networks.Remove(n.Id);
        _endpoints.Remove(n.Id);
        _reserved.Remove(n.Id);
        _firewall.Apply(RulesFor(BridgeNetworks()));
        if (n.Driver == "bridge")
        {
            _devices.Remove(n.BridgeName, n.Id);
        }
        _store.DeleteNetwork(n.Id);
        _events.Publish(EventTypes.Network, "destroy", n.Id, Attributes(n));
    }

    private void Undo(NetworkRecord record)
    {
        _networks.Remove(record.Id);
        try
        {
            _devices.Remove(record.BridgeName, record.Id);
            _firewall.Apply(RulesFor(BridgeNetworks()));
        }
        catch (Exception e) when (e is IOException or InvalidOperationException)
        {
            LogUndoFailed(_log, record.Name, e.Message);
        }
        _store.DeleteNetwork(record.Id);
    }

    private bool HasEndpoints(NetworkRecord n) => _endpoints.TryGetValue(n.Id, out var live) && live.Values.Any(e => !e.Releasing);
}
