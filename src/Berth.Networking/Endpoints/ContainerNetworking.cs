using Berth.Engine.Containers;
using Berth.Engine.Errors;
using Berth.Engine.Events;
using Berth.Engine.Networks;
using Berth.Engine.State;
using Berth.Linux.Netlink;
using Berth.Networking.Ipam;
using Berth.Networking.Sandbox;
using Microsoft.Extensions.Logging;

namespace Berth.Networking.Endpoints;

/// <summary>
/// Containers on networks: sandboxes (pinned namespaces), endpoints (IPAM leases + veths),
/// network connect/disconnect events and the observers that follow endpoints. The container
/// service calls it under the container's gate; the live table here is what start-up
/// reconciliation keeps (everything of this daemon's not in it is a leftover).
/// </summary>
public sealed partial class ContainerNetworking : IContainerNetworking
{
    private readonly NetworkService _networks;
    private readonly NetnsSandboxes _sandboxes;
    private readonly BridgeEndpointDriver _driver;
    private readonly IEventBus _events;
    private readonly ILogger _log;
    private readonly Lock _lock = new();
    private readonly Dictionary<string, LiveSandbox> _live = new(StringComparer.Ordinal);
    private readonly HashSet<Task> _releasing = [];
    private IEndpointObserver[] _observers = [];

    public ContainerNetworking(NetworkService networks, NetnsSandboxes sandboxes, BridgeEndpointDriver driver, IEventBus events, ILogger log)
    {
        _networks = networks;
        _sandboxes = sandboxes;
        _driver = driver;
        _events = events;
        _log = log;
    }

    /// <summary>Adds a hook told about every endpoint created or removed (port publishing, DNS). Register before containers start.</summary>
    public void AddObserver(IEndpointObserver observer)
    {
        lock (_lock)
        {
            _observers = [.. _observers, observer];
        }
    }

    /// <summary>A running container's namespace as sandboxes track it; endpoints by id.</summary>
    private sealed class LiveSandbox(string containerId, string key, bool owned)
    {
        public string ContainerId { get; } = containerId;
        public string Key { get; } = key;
        public bool Owned { get; } = owned;
        public Task Ready { get; set; } = Task.CompletedTask;

        /// <summary>Network connect events went out (so disconnect events are due on release).</summary>
        public bool Announced { get; set; }
        public Dictionary<string, LiveEndpoint> Endpoints { get; } = new(StringComparer.Ordinal);
    }

    private sealed record LiveEndpoint(string EndpointId, string NetworkId, string HostVeth, string Bridge);

    /// <summary>One endpoint being set up at start.</summary>
    private sealed record Planned(string Name, EndpointSettings Config, NetworkRecord Network, EndpointLease Lease, string Interface, string HostVeth);

    public ContainerNetworkSettings Configure(NetworkConfigRequest request) => EndpointPlanner.Configure(request, _networks.TryFind);

    public ContainerNetworkSettings Released(ContainerNetworkSettings settings) => new()
    {
        Networks = settings.Networks?.ToDictionary(p => p.Key, p => p.Value.WithoutOperationalData(), StringComparer.Ordinal),
    };

    public async Task<NetworkAttachment> AttachAsync(ContainerRecord record, string? peerNamespace, CancellationToken cancellationToken = default)
    {
        string mode = Mode(record);
        var configured = record.NetworkSettings.Networks ?? Configure(new NetworkConfigRequest(mode, null)).Networks!;
        if (EndpointPlanner.IsContainerMode(mode))
        {
            return new NetworkAttachment(new ContainerNetworkSettings { Networks = configured, SandboxKey = peerNamespace ?? "" }, Task.CompletedTask);
        }
        bool own = EndpointPlanner.OwnsNamespace(mode);
        var sandbox = new LiveSandbox(record.Id, own ? _sandboxes.PathFor(record.Id) : "", own);
        Register(sandbox);
        var planned = new List<Planned>();
        try
        {
            foreach (string name in EndpointPlanner.AttachOrder(mode, configured.Keys, _networks.TryFind))
            {
                var config = configured[name];
                var network = Resolve(name, config);
                var lease = await LeaseAsync(network, record, config).ConfigureAwait(false);
                bool plumbed = own && network.Driver == "bridge";
                string veth = plumbed ? EndpointPlanner.HostVethName(lease.EndpointId) : "";
                AddEndpoint(sandbox, new LiveEndpoint(lease.EndpointId, network.Id, veth, network.BridgeName));
                planned.Add(new Planned(name, config, network, lease, plumbed ? "eth" + planned.Count(p => p.HostVeth.Length > 0) : "", veth));
            }
            var settings = new ContainerNetworkSettings
            {
                Networks = Operational(record, planned),
                SandboxID = IdGenerator.NewId(),
                SandboxKey = sandbox.Key,
            };
            var started = record with { NetworkSettings = settings };
            if (!own)
            {
                await AnnounceAsync(started, planned, cancellationToken).ConfigureAwait(false);
                return new NetworkAttachment(settings, Task.CompletedTask);
            }
            IRtNetlink inside = await _sandboxes.CreateAsync(record.Id).ConfigureAwait(false);
            // Veths, addresses and routes while the runtime's create runs; start waits for Ready.
            sandbox.Ready = Task.Run(() => PlumbAllAsync(started, inside, planned, cancellationToken), CancellationToken.None);
            return new NetworkAttachment(settings, sandbox.Ready);
        }
        catch
        {
            await ReleaseAsync(record with { NetworkSettings = new ContainerNetworkSettings { SandboxKey = sandbox.Key } }).ConfigureAwait(false);
            throw;
        }
    }

    private async Task PlumbAllAsync(ContainerRecord record, IRtNetlink inside, List<Planned> planned, CancellationToken cancellationToken)
    {
        using (inside)
        {
            bool routed = false;
            foreach (var p in planned.Where(p => p.HostVeth.Length > 0))
            {
                bool route = !routed && !p.Network.Internal;
                _driver.Plumb(inside, record.NetworkSettings.SandboxKey, p.Lease, p.Interface, p.HostVeth, route);
                routed |= route;
            }
        }
        await AnnounceAsync(record, planned, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Observers first (they may refuse), then the network connect events.</summary>
    private async Task AnnounceAsync(ContainerRecord record, List<Planned> planned, CancellationToken cancellationToken)
    {
        foreach (var p in planned)
        {
            await NotifyCreatedAsync(record, p.Network, p.Network.Name, restored: false, cancellationToken).ConfigureAwait(false);
        }
        foreach (var p in planned)
        {
            PublishNetworkEvent("connect", p.Network, record.Id);
        }
        if (Live(record.Id) is { } sandbox)
        {
            sandbox.Announced = true;
        }
    }

    /// <summary>
    /// Releases a container's endpoints. What the container and clients see happens here: the
    /// endpoints leave inspect and the in-use checks, observers and events are told, the namespace
    /// is unpinned. Deleting the veths (one RTM_DELLINK each, ~20 ms of kernel RCU waiting) runs
    /// in the background, and only then are the addresses free again, so a new container never
    /// gets an address an old veth could still answer for (<see cref="DrainAsync"/> waits for it).
    /// </summary>
    public async Task ReleaseAsync(ContainerRecord record)
    {
        LiveSandbox? sandbox;
        lock (_lock)
        {
            _ = _live.Remove(record.Id, out sandbox);
        }
        if (sandbox is not null)
        {
            try
            {
                await sandbox.Ready.ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // the start is failing because of it; tear down what exists
            }
        }
        var settings = record.NetworkSettings;
        var deletions = new List<LiveEndpoint>();
        foreach (var (name, endpoint) in settings.Networks ?? new Dictionary<string, EndpointSettings>())
        {
            if (!endpoint.IsActive)
            {
                continue;
            }
            var network = _networks.TryFind(endpoint.NetworkID);
            if (network is not null)
            {
                await NotifyRemovedAsync(record, network, name).ConfigureAwait(false);
            }
            _networks.BeginUnlease(endpoint.NetworkID, endpoint.EndpointID);
            deletions.Add(new LiveEndpoint(endpoint.EndpointID, endpoint.NetworkID, endpoint.HostInterface, ""));
            if (network is not null && (sandbox?.Announced ?? true))
            {
                PublishNetworkEvent("disconnect", network, record.Id);
            }
        }
        // Endpoints of a start that failed before its settings were returned.
        deletions.AddRange(sandbox?.Endpoints.Values.Where(e => !deletions.Any(d => d.EndpointId == e.EndpointId)) ?? []);
        if (sandbox?.Owned == true || _sandboxes.Owns(settings.SandboxKey))
        {
            try
            {
                _sandboxes.Remove(record.Id);
            }
            catch (IOException e)
            {
                LogReleaseFailed(_log, record.Id, e.Message);
            }
        }
        if (deletions.Count > 0)
        {
            Track(Task.Run(() =>
            {
                foreach (var endpoint in deletions)
                {
                    TryUnplumb(record.Id, endpoint.HostVeth);
                    _networks.Unlease(endpoint.NetworkId, endpoint.EndpointId);
                }
            }));
        }
    }

    /// <summary>Waits for the veth deletions still running (before reusing a released static address, and at shutdown).</summary>
    public Task DrainAsync()
    {
        lock (_lock)
        {
            return Task.WhenAll(_releasing);
        }
    }

    private void Track(Task release)
    {
        lock (_lock)
        {
            _releasing.Add(release);
        }
        _ = release.ContinueWith(t =>
        {
            lock (_lock)
            {
                _releasing.Remove(t);
            }
        }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    /// <summary>
    /// Lease, but a static address still held by a released endpoint (the same container
    /// restarting, or compose recreating a service) is waited for instead of refused.
    /// </summary>
    private async Task<EndpointLease> LeaseAsync(NetworkRecord network, ContainerRecord record, EndpointSettings config)
    {
        string? address = config.IPAMConfig?.IPv4Address;
        try
        {
            return _networks.Lease(network.Id, IdGenerator.NewId(), record.Id, record.Name, address, config.DesiredMacAddress);
        }
        catch (DaemonException e) when (e.Kind == ErrorKind.Forbidden && address is not null && _networks.IsReleasing(network.Id, address))
        {
            await DrainAsync().ConfigureAwait(false);
            return _networks.Lease(network.Id, IdGenerator.NewId(), record.Id, record.Name, address, config.DesiredMacAddress);
        }
    }

    private void TryUnplumb(string containerId, string hostVeth)
    {
        try
        {
            _driver.Unplumb(hostVeth);
        }
        catch (IOException e)
        {
            LogReleaseFailed(_log, containerId, e.Message);
        }
    }

    /// <summary>The settings a running container shows: the config it asked for plus what it got.</summary>
    private static Dictionary<string, EndpointSettings> Operational(ContainerRecord record, List<Planned> planned)
    {
        var result = new Dictionary<string, EndpointSettings>(StringComparer.Ordinal);
        foreach (var p in planned)
        {
            result[p.Network.Name] = WithLease(record, p.Network, p.Config, p.Lease, p.Interface, p.HostVeth);
        }
        return result;
    }

    private static EndpointSettings WithLease(ContainerRecord record, NetworkRecord network, EndpointSettings config, EndpointLease lease, string interfaceName, string hostVeth) =>
        config with
        {
            NetworkID = network.Id,
            EndpointID = lease.EndpointId,
            Gateway = lease.HasAddress && !network.Internal ? Ipv4Prefix.Format(lease.Gateway) : "",
            IPAddress = lease.HasAddress ? Ipv4Prefix.Format(lease.Address) : "",
            IPPrefixLen = lease.PrefixLength,
            MacAddress = lease.Mac.Length > 0 ? MacAddresses.Format(lease.Mac) : "",
            DNSNames = EndpointPlanner.DnsNames(network.Name, record.Name, config.Aliases, record.Id, record.Config.Hostname),
            InterfaceName = interfaceName,
            HostInterface = hostVeth,
        };

    /// <summary>dockerd's getNetworkID: a user-defined network by its recorded id, else by name.</summary>
    private NetworkRecord Resolve(string name, EndpointSettings config)
    {
        if (EndpointPlanner.IsUserDefined(name) && config.NetworkID.Length > 0 && _networks.TryFind(config.NetworkID) is { } byId)
        {
            return byId;
        }
        return _networks.TryFind(name) ?? throw DaemonException.NotFound(Messages.NetworkNotFound(name));
    }

    private static string Mode(ContainerRecord record) =>
        record.HostConfig.NetworkMode is "" or "default" ? "bridge" : record.HostConfig.NetworkMode;

    private void Register(LiveSandbox sandbox)
    {
        lock (_lock)
        {
            _live[sandbox.ContainerId] = sandbox;
        }
    }

    private void AddEndpoint(LiveSandbox sandbox, LiveEndpoint endpoint)
    {
        lock (_lock)
        {
            sandbox.Endpoints[endpoint.EndpointId] = endpoint;
        }
    }

    private LiveSandbox? Live(string containerId)
    {
        lock (_lock)
        {
            return _live.GetValueOrDefault(containerId);
        }
    }

    private async Task NotifyCreatedAsync(ContainerRecord record, NetworkRecord network, string name, bool restored, CancellationToken cancellationToken)
    {
        var endpoint = record.NetworkSettings.Endpoint(name);
        if (endpoint is null)
        {
            return;
        }
        foreach (var observer in Volatile.Read(ref _observers))
        {
            await observer.EndpointCreatedAsync(new EndpointEvent(record, network, name, endpoint, record.NetworkSettings.SandboxKey), restored, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task NotifyRemovedAsync(ContainerRecord record, NetworkRecord network, string name)
    {
        var endpoint = record.NetworkSettings.Endpoint(name);
        if (endpoint is null)
        {
            return;
        }
        foreach (var observer in Volatile.Read(ref _observers))
        {
            try
            {
                await observer.EndpointRemovedAsync(new EndpointEvent(record, network, name, endpoint, record.NetworkSettings.SandboxKey)).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                LogReleaseFailed(_log, record.Id, e.Message);
            }
        }
    }

    /// <summary>dockerd's LogNetworkEventWithAttributes: the network is the actor, the container an attribute.</summary>
    private void PublishNetworkEvent(string action, NetworkRecord network, string containerId) =>
        _events.Publish(EventTypes.Network, action, network.Id, new Dictionary<string, string>
        {
            ["container"] = containerId,
            ["name"] = network.Name,
            ["type"] = network.Driver,
        });

    [LoggerMessage(EventId = 730, Level = LogLevel.Warning, Message = "Releasing the network of container {Id}: {Reason}")]
    private static partial void LogReleaseFailed(ILogger logger, string id, string reason);
}
