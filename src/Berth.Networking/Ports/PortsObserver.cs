using Berth.Engine.Networks;
using Microsoft.Extensions.Logging;

namespace Berth.Networking.Ports;

/// <summary>
/// Port publishing driven by endpoint events. Ports go on the container's first endpoint on a
/// non-internal bridge network (the one that also gets the default route: dockerd's gateway
/// endpoint) and stay there until that endpoint goes (stop, disconnect, failed start). What was
/// published is kept in <see cref="PublishedPortsFile"/> so a restarted daemon takes the same
/// host ports again for containers that kept running.
/// </summary>
public sealed partial class PortsObserver : IEndpointObserver, IPublishedPortSource
{
    private readonly PortPublisher _publisher;
    private readonly PublishedPortsFile _file;
    private readonly ILogger _log;
    private readonly Lock _lock = new();
    private readonly Dictionary<string, Entry> _containers = new(StringComparer.Ordinal);

    public PortsObserver(PortPublisher publisher, PublishedPortsFile file, ILogger log)
    {
        _publisher = publisher;
        _file = file;
        _log = log;
    }

    public Task EndpointCreatedAsync(EndpointEvent endpoint, bool restored, CancellationToken cancellationToken = default)
    {
        var network = endpoint.Network;
        var container = endpoint.Container;
        if (network.Driver != "bridge" || network.Internal || endpoint.Endpoint.IPAddress.Length == 0)
        {
            return Task.CompletedTask;
        }
        lock (_lock)
        {
            if (_containers.ContainsKey(container.Id))
            {
                return Task.CompletedTask; // already published on an earlier endpoint
            }
        }
        var target = new PublishTarget(container.Id, container.Name, endpoint.Endpoint.EndpointID, network.BridgeName,
            endpoint.Endpoint.IPAddress, DefaultHostIp(network));
        var exposed = PortSpecs.Exposed(container.Config);
        IReadOnlyList<PublishedPort> ports;
        if (restored)
        {
            ports = _file.Read(container.Id);
            _publisher.Restore(target, ports);
        }
        else
        {
            ports = _publisher.Publish(target, PortSpecs.Requests(container.Config, container.HostConfig));
            try
            {
                _file.Write(container.Id, ports);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Only a later daemon restart needs the file; the ports work now.
                LogFileFailed(_log, container.Id, e.Message);
            }
        }
        lock (_lock)
        {
            _containers[container.Id] = new Entry(endpoint.Endpoint.EndpointID, exposed, ports);
        }
        return Task.CompletedTask;
    }

    public Task EndpointRemovedAsync(EndpointEvent endpoint)
    {
        string id = endpoint.Container.Id;
        lock (_lock)
        {
            if (!_containers.TryGetValue(id, out var entry) || entry.EndpointId != endpoint.Endpoint.EndpointID)
            {
                return Task.CompletedTask;
            }
            _containers.Remove(id);
        }
        _publisher.Unpublish(id);
        try
        {
            _file.Delete(id);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            LogFileFailed(_log, id, e.Message);
        }
        return Task.CompletedTask;
    }

    public IReadOnlyDictionary<string, IReadOnlyList<PublishedPort>?>? PortMap(string containerId)
    {
        lock (_lock)
        {
            return _containers.TryGetValue(containerId, out var entry) ? PortViews.PortMap(entry.Exposed, entry.Ports) : null;
        }
    }

    /// <summary>com.docker.network.bridge.host_binding_ipv4 of the network, else 0.0.0.0 (dockerd's --ip default).</summary>
    private static string DefaultHostIp(NetworkRecord network) =>
        network.Options.TryGetValue(DriverOptions.HostBindingKey, out var ip) && PortSpecs.NormalizeHostIp(ip) is { Length: > 0 } parsed
            ? parsed
            : "0.0.0.0";

    private sealed record Entry(string EndpointId, IReadOnlyList<PortKey> Exposed, IReadOnlyList<PublishedPort> Ports);

    [LoggerMessage(EventId = 766, Level = LogLevel.Warning, Message = "Container {Id}: recording its published ports failed: {Reason}")]
    private static partial void LogFileFailed(ILogger logger, string id, string reason);
}
