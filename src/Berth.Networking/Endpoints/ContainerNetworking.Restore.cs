using Berth.Engine.Containers;
using Berth.Engine.Networks;
using Berth.Linux.Netlink;
using Microsoft.Extensions.Logging;

namespace Berth.Networking.Endpoints;

public sealed partial class ContainerNetworking
{
    /// <summary>
    /// Daemon start-up, for a container that kept running: its endpoints go back into the IPAM
    /// table and the live set (so reconciliation keeps their veths and namespace), observers hear
    /// about them again. Nothing on the host is touched here.
    /// </summary>
    public async Task RestoreAsync(ContainerRecord record)
    {
        var settings = record.NetworkSettings;
        var sandbox = new LiveSandbox(record.Id, settings.SandboxKey, _sandboxes.Owns(settings.SandboxKey)) { Announced = true };
        var restored = new List<(NetworkRecord Network, string Name)>();
        foreach (var (name, endpoint) in settings.Networks ?? new Dictionary<string, EndpointSettings>())
        {
            if (!endpoint.IsActive)
            {
                continue;
            }
            var network = _networks.TryFind(endpoint.NetworkID);
            string shown = endpoint.IPAddress.Length > 0 ? $"{endpoint.IPAddress}/{endpoint.IPPrefixLen}" : "";
            if (network is null || !_networks.RestoreLease(network.Id,
                    new NetworkEndpoint(record.Id, record.Name, endpoint.EndpointID, endpoint.MacAddress, shown, ""), endpoint.IPAddress))
            {
                LogRestoreMissingNetwork(_log, record.Id, name);
                continue;
            }
            sandbox.Endpoints[endpoint.EndpointID] = new LiveEndpoint(endpoint.EndpointID, network.Id, endpoint.HostInterface, network.BridgeName);
            restored.Add((network, name));
        }
        Register(sandbox);
        foreach (var (network, name) in restored)
        {
            try
            {
                await NotifyCreatedAsync(record, network, name, restored: true, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or Engine.Errors.DaemonException or InvalidOperationException)
            {
                LogObserverRestoreFailed(_log, record.Id, name, e.Message);
            }
        }
    }

    /// <summary>
    /// Start-up, after the bridges are back: veths of live endpoints go back onto their bridge
    /// (a recreated bridge has no ports), this daemon's veths that no live endpoint owns are
    /// deleted, and namespace pins of containers that are not running are removed. The host is
    /// listed before the live set is read: anything a concurrent start creates after the listing
    /// is not touched, and anything in the listing was registered before it was created.
    /// </summary>
    public void Reconcile()
    {
        var links = _driver.Host.ListLinks();
        var pins = _sandboxes.List();
        Dictionary<string, LiveEndpoint> endpoints;
        HashSet<string> sandboxes;
        lock (_lock)
        {
            endpoints = _live.Values.SelectMany(s => s.Endpoints.Values).ToDictionary(e => e.EndpointId, StringComparer.Ordinal);
            sandboxes = _live.Values.Where(s => s.Owned).Select(s => s.ContainerId).ToHashSet(StringComparer.Ordinal);
        }
        foreach (var link in links)
        {
            if (_driver.EndpointIdOf(link) is not { } id)
            {
                continue;
            }
            try
            {
                if (endpoints.TryGetValue(id, out var endpoint))
                {
                    _driver.Reattach(link, endpoint.Bridge);
                }
                else
                {
                    _driver.Unplumb(link.Name);
                    LogLeftoverRemoved(_log, "veth", link.Name);
                }
            }
            catch (NetlinkException e)
            {
                LogReconcileFailed(_log, link.Name, e.Message);
            }
        }
        foreach (string containerId in pins.Where(p => !sandboxes.Contains(p)))
        {
            try
            {
                _sandboxes.Remove(containerId);
                LogLeftoverRemoved(_log, "network namespace", _sandboxes.PathFor(containerId));
            }
            catch (IOException e)
            {
                LogReconcileFailed(_log, _sandboxes.PathFor(containerId), e.Message);
            }
        }
    }

    [LoggerMessage(EventId = 731, Level = LogLevel.Warning, Message = "Container {Id} kept running, but its network {Network} is gone; its endpoint is not restored")]
    private static partial void LogRestoreMissingNetwork(ILogger logger, string id, string network);

    [LoggerMessage(EventId = 732, Level = LogLevel.Information, Message = "Removed leftover {What} {Name}: no running container owns it")]
    private static partial void LogLeftoverRemoved(ILogger logger, string what, string name);

    [LoggerMessage(EventId = 733, Level = LogLevel.Warning, Message = "Reconciling {Name} failed: {Reason}")]
    private static partial void LogReconcileFailed(ILogger logger, string name, string reason);

    [LoggerMessage(EventId = 734, Level = LogLevel.Warning, Message = "An endpoint observer failed for restored container {Id} on {Network}: {Reason}")]
    private static partial void LogObserverRestoreFailed(ILogger logger, string id, string network, string reason);
}
