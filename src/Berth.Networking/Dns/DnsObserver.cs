using Berth.Engine.Containers;
using Berth.Engine.Networks;
using Berth.Networking.Ipam;
using Microsoft.Extensions.Logging;

namespace Berth.Networking.Dns;

/// <summary>Daemon settings the embedded DNS reads when a container's server starts.</summary>
/// <param name="DaemonDns">--dns of the daemon.</param>
/// <param name="HostResolvConf">The host file whose nameservers are the fallback external servers.</param>
public sealed record DnsSettings(IReadOnlyList<string> DaemonDns, string HostResolvConf = "/etc/resolv.conf");

/// <summary>
/// Keeps the embedded DNS in step with endpoints: every endpoint on a user-defined network is a
/// record (its DNSNames → its address); a container gets its server on 127.0.0.11 with its
/// first user-defined endpoint, and loses it with its last. The default bridge has no records,
/// as in dockerd (containers there resolve each other only through --link).
/// </summary>
public sealed partial class DnsObserver : IEndpointObserver
{
    private readonly EmbeddedDns _dns;
    private readonly DnsRecords _records;
    private readonly Func<DnsSettings> _settings;
    private readonly ILogger _log;

    public DnsObserver(EmbeddedDns dns, DnsRecords records, Func<DnsSettings> settings, ILogger log)
    {
        _dns = dns;
        _records = records;
        _settings = settings;
        _log = log;
    }

    public async Task EndpointCreatedAsync(EndpointEvent endpoint, bool restored, CancellationToken cancellationToken = default)
    {
        var network = endpoint.Network;
        var container = endpoint.Container;
        if (network.Predefined || network.Driver != "bridge")
        {
            return;
        }
        uint address = Ipv4Prefix.TryParseAddress(endpoint.Endpoint.IPAddress, out uint a) ? a : 0;
        _records.Add(network.Id, network.Name, new DnsEndpoint(container.Id, NamesOf(endpoint), address));
        if (endpoint.SandboxKey.Length == 0 || _dns.IsServing(container.Id))
        {
            return;
        }
        try
        {
            await _dns.StartAsync(endpoint.SandboxKey, ContextFor(container)).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or UnauthorizedAccessException)
        {
            // Names still resolve for everyone else; this container falls back to nothing, so say why.
            _records.Remove(network.Id, container.Id);
            LogStartFailed(_log, container.Id, e.Message);
            throw new IOException($"starting the embedded DNS server of container {container.Name} failed: {e.Message}", e);
        }
    }

    public async Task EndpointRemovedAsync(EndpointEvent endpoint)
    {
        _records.Remove(endpoint.Network.Id, endpoint.Container.Id);
        if (!_records.HasEndpoints(endpoint.Container.Id))
        {
            await _dns.StopAsync(endpoint.Container.Id).ConfigureAwait(false);
        }
    }

    private DnsServerContext ContextFor(ContainerRecord container)
    {
        var settings = _settings();
        var upstreams = DnsUpstreams.From(container.HostConfig.Dns, settings.DaemonDns, ContainerFiles.ReadHostResolvConf(settings.HostResolvConf));
        string id = container.Id;
        return new DnsServerContext(id, () => _records.ViewFor(id), upstreams,
            new DnsPolicy(EmbeddedDnsFiles.NdotsSet(container.HostConfig.DnsOptions), CanForward: upstreams.Count > 0));
    }

    /// <summary>The endpoint's DNSNames (name, aliases, short id, hostname), or the same built from the record.</summary>
    private static IReadOnlyList<string> NamesOf(EndpointEvent endpoint)
    {
        if (endpoint.Endpoint.DNSNames is { Count: > 0 } names)
        {
            return names;
        }
        var container = endpoint.Container;
        return [container.Name, .. endpoint.Endpoint.Aliases ?? [], container.Id[..12]];
    }

    [LoggerMessage(EventId = 786, Level = LogLevel.Error, Message = "Embedded DNS for container {Id} could not start: {Reason}")]
    private static partial void LogStartFailed(ILogger logger, string id, string reason);
}
