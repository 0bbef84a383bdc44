using Berth.Engine.Containers;
using Berth.Engine.Errors;
using Berth.Engine.Networks;
using Berth.Networking.Ipam;

namespace Berth.Networking.Endpoints;

public sealed partial class ContainerNetworking
{
    public async Task<ContainerNetworkSettings> ConnectAsync(ContainerRecord record, string network, EndpointSettings config, CancellationToken cancellationToken = default)
    {
        var n = _networks.TryFind(network) ?? throw DaemonException.NotFound(Messages.NetworkNotFound(network));
        var settings = record.NetworkSettings;
        var current = settings.Networks ?? new Dictionary<string, EndpointSettings>();
        if (current.TryGetValue(n.Name, out var existing) && existing.IsActive)
        {
            throw DaemonException.Forbidden(Messages.EndpointExists(record.Name, n.Name));
        }
        Check(record, n, config);
        config = EndpointPlanner.Normalize(config);
        if (!_sandboxes.Owns(settings.SandboxKey) || n.Driver != "bridge")
        {
            throw DaemonException.InvalidParameter(Messages.ConflictSharedNetwork);
        }
        var sandbox = Live(record.Id) ?? new LiveSandbox(record.Id, settings.SandboxKey, owned: true) { Announced = true };
        Register(sandbox);
        var lease = await LeaseAsync(n, record, config).ConfigureAwait(false);
        string interfaceName = EndpointPlanner.InterfaceName(current.Values.Where(e => e.IsActive).Select(e => e.InterfaceName));
        string veth = EndpointPlanner.HostVethName(lease.EndpointId);
        AddEndpoint(sandbox, new LiveEndpoint(lease.EndpointId, n.Id, veth, n.BridgeName));
        var networks = new Dictionary<string, EndpointSettings>(current, StringComparer.Ordinal)
        {
            [n.Name] = WithLease(record, n, config, lease, interfaceName, veth),
        };
        var updated = settings with { Networks = networks };
        try
        {
            using (var inside = await _sandboxes.OpenAsync(settings.SandboxKey).ConfigureAwait(false))
            {
                bool route = !n.Internal && !BridgeEndpointDriver.HasDefaultRoute(inside);
                _driver.Plumb(inside, settings.SandboxKey, lease, interfaceName, veth, route);
            }
            await NotifyCreatedAsync(record with { NetworkSettings = updated }, n, n.Name, restored: false, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await NotifyRemovedAsync(record with { NetworkSettings = updated }, n, n.Name).ConfigureAwait(false);
            TryUnplumb(record.Id, veth);
            DropEndpoint(sandbox, n.Id, lease.EndpointId);
            throw;
        }
        PublishNetworkEvent("connect", n, record.Id);
        return updated;
    }

    public ContainerNetworkSettings ConnectStopped(ContainerRecord record, string network, EndpointSettings config)
    {
        var settings = record.NetworkSettings;
        var current = settings.Networks ?? new Dictionary<string, EndpointSettings>();
        var n = _networks.TryFind(network);
        if (n is null)
        {
            // dockerd records it under the given reference; the next start reports the missing network.
            return settings with { Networks = new Dictionary<string, EndpointSettings>(current, StringComparer.Ordinal) { [network] = EndpointPlanner.Normalize(config) } };
        }
        Check(record, n, config);
        if (current.ContainsKey(n.Name))
        {
            return settings;
        }
        return settings with { Networks = new Dictionary<string, EndpointSettings>(current, StringComparer.Ordinal) { [n.Name] = EndpointPlanner.Normalize(config) } };
    }

    public async Task<ContainerNetworkSettings> DisconnectAsync(ContainerRecord record, string network, bool force, CancellationToken cancellationToken = default)
    {
        var n = _networks.TryFind(network);
        if (n is null)
        {
            return force ? DisconnectStopped(record, network, force) : throw DaemonException.NotFound(Messages.NetworkNotFound(network));
        }
        if (Mode(record) == "host" && n.Driver == "host")
        {
            throw DaemonException.InvalidParameter(Messages.DisconnectFromHostNetwork);
        }
        var settings = record.NetworkSettings;
        var current = settings.Networks ?? new Dictionary<string, EndpointSettings>();
        if (!current.TryGetValue(n.Name, out var endpoint) || !endpoint.IsActive)
        {
            throw DaemonException.System(Messages.NotConnectedRunning(record.Id, n.Name));
        }
        await NotifyRemovedAsync(record, n, n.Name).ConfigureAwait(false);
        _driver.Unplumb(endpoint.HostInterface);
        DropEndpoint(Live(record.Id), n.Id, endpoint.EndpointID);
        PublishNetworkEvent("disconnect", n, record.Id);
        var remaining = current.Where(p => p.Key != n.Name).ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
        if (endpoint.HostInterface.Length > 0 && _sandboxes.Owns(settings.SandboxKey))
        {
            await RestoreDefaultRouteAsync(settings.SandboxKey, remaining.Values).ConfigureAwait(false);
        }
        return settings with { Networks = remaining };
    }

    public ContainerNetworkSettings DisconnectStopped(ContainerRecord record, string network, bool force)
    {
        var settings = record.NetworkSettings;
        string name = _networks.TryFind(network)?.Name ?? network;
        if (settings.Networks is null || !settings.Networks.ContainsKey(name))
        {
            throw DaemonException.System(Messages.NotConnectedStopped(record.Id, name));
        }
        return settings with { Networks = settings.Networks.Where(p => p.Key != name).ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal) };
    }

    /// <summary>When the gateway endpoint left, the next attached network with a gateway carries the default route.</summary>
    private async Task RestoreDefaultRouteAsync(string sandboxKey, IEnumerable<EndpointSettings> remaining)
    {
        var next = remaining.Where(e => e.IsActive && e.Gateway.Length > 0 && e.InterfaceName.Length > 0)
            .OrderBy(e => e.InterfaceName.Length).ThenBy(e => e.InterfaceName, StringComparer.Ordinal).FirstOrDefault();
        if (next is null || !Ipv4Prefix.TryParseAddress(next.Gateway, out uint gateway))
        {
            return;
        }
        using var inside = await _sandboxes.OpenAsync(sandboxKey).ConfigureAwait(false);
        if (!BridgeEndpointDriver.HasDefaultRoute(inside))
        {
            BridgeEndpointDriver.AddDefaultRoute(inside, next.InterfaceName, gateway);
        }
    }

    /// <summary>Validation shared by connect on running and stopped containers (dockerd updateNetworkConfig).</summary>
    private void Check(ContainerRecord record, NetworkRecord network, EndpointSettings config)
    {
        var errors = EndpointPlanner.Validate(network.Name, config, network);
        if (errors.Count > 0)
        {
            throw DaemonException.InvalidParameter(Messages.InvalidEndpointSettings(network.Name, errors));
        }
        var others = (record.NetworkSettings.Networks ?? new Dictionary<string, EndpointSettings>())
            .Select(p => _networks.TryFind(p.Value.NetworkID.Length > 0 ? p.Value.NetworkID : p.Key) ?? _networks.TryFind(p.Key))
            .OfType<NetworkRecord>();
        EndpointPlanner.CheckCompatible(Mode(record), network, others);
    }

    private void DropEndpoint(LiveSandbox? sandbox, string networkId, string endpointId)
    {
        _networks.Unlease(networkId, endpointId);
        if (sandbox is not null)
        {
            lock (_lock)
            {
                sandbox.Endpoints.Remove(endpointId);
            }
        }
    }
}
