using System.Net;
using System.Net.Sockets;
using Berth.Linux.Netlink;
using Berth.Linux.Netns;
using Microsoft.Extensions.Logging;

namespace Berth.Networking.Dns;

/// <summary>
/// dockerd's embedded DNS server (127.0.0.11) for containers on user-defined networks: one
/// <see cref="ContainerDnsServer"/> per running container, its sockets created inside the
/// container's network namespace and bound to 127.0.0.11:53 directly (no DNAT to a random port
/// as dockerd does: nothing else in the namespace wants that port).
/// </summary>
public sealed partial class EmbeddedDns : IAsyncDisposable
{
    public static readonly IPAddress Address = IPAddress.Parse("127.0.0.11");
    public const int Port = 53;

    private readonly DnsForwarder _forwarder;
    private readonly ILogger _log;
    private readonly Lock _lock = new();
    private readonly Dictionary<string, ContainerDnsServer> _servers = new(StringComparer.Ordinal);

    public EmbeddedDns(DnsForwarder forwarder, ILogger log)
    {
        _forwarder = forwarder;
        _log = log;
    }

    /// <summary>Starts (or restarts) the server of one container whose namespace is at <paramref name="netnsPath"/>.</summary>
    public async Task StartAsync(string netnsPath, DnsServerContext context)
    {
        await StopAsync(context.ContainerId).ConfigureAwait(false);
        var (udp, tcp) = await NetworkNamespaces.RunInAsync(netnsPath, OpenSockets).ConfigureAwait(false);
        var server = new ContainerDnsServer(udp, tcp, context, _forwarder, _log);
        lock (_lock)
        {
            _servers[context.ContainerId] = server;
        }
        server.Start();
        LogStarted(_log, context.ContainerId, context.Upstreams.Count);
    }

    public async Task StopAsync(string containerId)
    {
        ContainerDnsServer? server;
        lock (_lock)
        {
            _servers.Remove(containerId, out server);
        }
        if (server is not null)
        {
            await server.DisposeAsync().ConfigureAwait(false);
        }
    }

    public bool IsServing(string containerId)
    {
        lock (_lock)
        {
            return _servers.ContainsKey(containerId);
        }
    }

    public async ValueTask DisposeAsync()
    {
        List<ContainerDnsServer> all;
        lock (_lock)
        {
            all = [.. _servers.Values];
            _servers.Clear();
        }
        foreach (var server in all)
        {
            await server.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Runs inside the container's namespace. lo must be up before the bind: a socket bound to
    /// 127.0.0.11 while lo is down answers from 127.0.0.1 (measured), which resolvers that
    /// connect() to the server reject.
    /// </summary>
    private static (Socket Udp, Socket Tcp) OpenSockets()
    {
        using (var netlink = new RtNetlink())
        {
            if (netlink.GetLink("lo") is { IsUp: false })
            {
                netlink.SetUp("lo");
            }
        }
        var endpoint = new IPEndPoint(Address, Port);
        var udp = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        var tcp = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            udp.Bind(endpoint);
            tcp.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            tcp.Bind(endpoint);
            tcp.Listen(128);
            return (udp, tcp);
        }
        catch
        {
            udp.Dispose();
            tcp.Dispose();
            throw;
        }
    }

    [LoggerMessage(EventId = 785, Level = LogLevel.Debug, Message = "Embedded DNS for container {Id} listening on 127.0.0.11:53 ({Upstreams} external servers)")]
    private static partial void LogStarted(ILogger logger, string id, int upstreams);
}
