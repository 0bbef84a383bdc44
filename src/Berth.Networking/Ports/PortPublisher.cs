using System.Net.Sockets;
using Berth.Engine.Errors;
using Berth.Engine.Networks;
using Berth.Networking.Firewall;
using Microsoft.Extensions.Logging;

namespace Berth.Networking.Ports;

/// <summary>Where a container's ports go: its endpoint on the network that gives it external connectivity.</summary>
public sealed record PublishTarget(string ContainerId, string EndpointName, string EndpointId, string Bridge, string ContainerIp, string DefaultHostIp = "0.0.0.0");

/// <summary>
/// Publishes container ports with dockerd's bridge-driver semantics (userland proxy off): pick
/// and reserve each host port (allocator book + a bound socket in berthd), program the DNAT
/// rules, then listen on the TCP sockets. All or nothing: a failure releases what was taken and
/// answers dockerd's "driver failed programming external connectivity on endpoint …" (500).
/// </summary>
public sealed partial class PortPublisher
{
    /// <summary>libnetwork bridge maxAllocatePortAttempts: ranges retry with the next port.</summary>
    public const int MaxAttempts = 10;

    private readonly PortAllocator _allocator;
    private readonly IHostPortBinder _binder;
    private readonly Firewall.Firewall _firewall;
    private readonly ILogger _log;
    private readonly Lock _lock = new();
    private readonly Dictionary<string, List<Held>> _held = new(StringComparer.Ordinal);

    public PortPublisher(PortAllocator allocator, IHostPortBinder binder, Firewall.Firewall firewall, ILogger log)
    {
        _allocator = allocator;
        _binder = binder;
        _firewall = firewall;
        _log = log;
    }

    public IReadOnlyList<PublishedPort> Publish(PublishTarget target, IReadOnlyList<PortRequest> requests)
    {
        if (requests.Count == 0)
        {
            return [];
        }
        var held = new List<Held>();
        try
        {
            foreach (var request in PortOrder.Sort(requests))
            {
                string hostIp = request.HostIp.Length > 0 ? request.HostIp : target.DefaultHostIp;
                if (hostIp.Contains(':', StringComparison.Ordinal))
                {
                    // An IPv4-only container cannot be reached from IPv6 without a proxy (dockerd logs and skips it too).
                    LogIpv6Skipped(_log, hostIp, request.Container.ToString());
                    continue;
                }
                held.Add(Reserve(target, request, hostIp));
            }
            Commit(target, held);
            return [.. held.Select(h => h.Port)];
        }
        catch (Exception e) when (e is PortMappingException or InvalidOperationException or IOException)
        {
            ReleaseAll(held);
            throw DaemonException.System(Messages.ExternalConnectivityFailed(target.EndpointName, target.EndpointId, e.Message), e);
        }
    }

    /// <summary>
    /// After a daemon restart: takes the recorded ports of a container that kept running again
    /// and re-creates their rules. A port something else grabbed meanwhile is logged and its
    /// rule still installed (the container still expects it); nothing is thrown.
    /// </summary>
    public void Restore(PublishTarget target, IReadOnlyList<PublishedPort> ports)
    {
        var held = new List<Held>();
        foreach (var port in ports)
        {
            IHostPortReservation? socket = null;
            try
            {
                _allocator.Request(port.HostIp, port.Proto, port.HostPort, port.HostPort);
                socket = _binder.Bind(port.HostIp, port.Proto, port.HostPort);
            }
            catch (Exception e) when (e is PortMappingException or SocketException)
            {
                LogRestoreConflict(_log, target.ContainerId, $"{port.HostIp}:{port.HostPort}/{port.Proto}", e.Message);
            }
            held.Add(new Held(port, socket));
        }
        try
        {
            Commit(target, held);
        }
        catch (Exception e) when (e is InvalidOperationException or IOException)
        {
            LogRestoreFailed(_log, target.ContainerId, e.Message);
        }
    }

    /// <summary>Removes a container's rules and frees its ports (stop, exit, failed start). Idempotent.</summary>
    public void Unpublish(string containerId)
    {
        List<Held>? held;
        lock (_lock)
        {
            if (!_held.Remove(containerId, out held))
            {
                return;
            }
        }
        try
        {
            _firewall.SetPorts(containerId, []);
        }
        catch (Exception e) when (e is InvalidOperationException or IOException)
        {
            LogUnpublishFailed(_log, containerId, e.Message);
        }
        ReleaseAll(held);
    }

    /// <summary>The host ports a container holds now (tests, diagnostics).</summary>
    public IReadOnlyList<PublishedPort> HeldBy(string containerId)
    {
        lock (_lock)
        {
            return _held.TryGetValue(containerId, out var held) ? [.. held.Select(h => h.Port)] : [];
        }
    }

    private Held Reserve(PublishTarget target, PortRequest request, string hostIp)
    {
        string proto = request.Container.Proto;
        string binding = PortOrder.Describe(hostIp, request, target.ContainerIp);
        PortMappingException? last = null;
        for (int attempt = 0; attempt < MaxAttempts; attempt++)
        {
            int port = _allocator.Request(hostIp, proto, request.HostPortStart, request.HostPortEnd);
            try
            {
                var socket = _binder.Bind(hostIp, proto, port);
                return new Held(new PublishedPort(proto, request.Container.Port, hostIp, port), socket);
            }
            catch (SocketException e)
            {
                _allocator.Release(hostIp, proto, port);
                string reason = SocketHostPortBinder.Reason(e);
                last = new PortMappingException(request.HostPortStart == request.HostPortEnd
                    ? Messages.BindHostPortFailed(binding, reason)
                    : Messages.BindHostPortInRangeFailed(port, binding, reason));
                if (request.IsExact)
                {
                    break;
                }
                LogRetry(_log, binding, attempt + 1, last.Message);
            }
        }
        throw last!;
    }

    private void Commit(PublishTarget target, List<Held> held)
    {
        var rules = held.Select(h => new PortRule(target.Bridge, h.Port.Proto, h.Port.HostIp, h.Port.HostPort, target.ContainerIp, h.Port.ContainerPort)).ToList();
        _firewall.SetPorts(target.ContainerId, rules);
        lock (_lock)
        {
            _held[target.ContainerId] = held;
        }
        foreach (var h in held)
        {
            try
            {
                h.Socket?.Listen();
            }
            catch (SocketException e)
            {
                // Someone bound the same port with SO_REUSEADDR meanwhile; the DNAT rule still wins.
                LogListenFailed(_log, $"{h.Port.HostIp}:{h.Port.HostPort}", e.Message);
            }
        }
    }

    private void ReleaseAll(List<Held> held)
    {
        foreach (var h in held)
        {
            h.Socket?.Dispose();
            if (h.Socket is not null)
            {
                _allocator.Release(h.Port.HostIp, h.Port.Proto, h.Port.HostPort);
            }
        }
    }

    private sealed record Held(PublishedPort Port, IHostPortReservation? Socket);

    [LoggerMessage(EventId = 760, Level = LogLevel.Information, Message = "Not publishing {Port} on {HostIp}: the container has no IPv6 address")]
    private static partial void LogIpv6Skipped(ILogger logger, string hostIp, string port);

    [LoggerMessage(EventId = 761, Level = LogLevel.Warning, Message = "Failed to allocate and map port {Binding}: {Reason}, retry: {Attempt}")]
    private static partial void LogRetry(ILogger logger, string binding, int attempt, string reason);

    [LoggerMessage(EventId = 762, Level = LogLevel.Warning, Message = "Container {Id}: could not take host port {Port} again after restart: {Reason}")]
    private static partial void LogRestoreConflict(ILogger logger, string id, string port, string reason);

    [LoggerMessage(EventId = 763, Level = LogLevel.Error, Message = "Container {Id}: re-creating published-port rules failed: {Reason}")]
    private static partial void LogRestoreFailed(ILogger logger, string id, string reason);

    [LoggerMessage(EventId = 764, Level = LogLevel.Error, Message = "Container {Id}: removing published-port rules failed: {Reason}")]
    private static partial void LogUnpublishFailed(ILogger logger, string id, string reason);

    [LoggerMessage(EventId = 765, Level = LogLevel.Warning, Message = "Listening on reserved host port {Port} failed: {Reason}")]
    private static partial void LogListenFailed(ILogger logger, string port, string reason);
}
