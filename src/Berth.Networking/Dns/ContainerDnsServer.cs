using System.Buffers;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;

namespace Berth.Networking.Dns;

/// <summary>What a container's resolver needs from the daemon, asked at every query (networks change on connect/disconnect).</summary>
public sealed record DnsServerContext(
    string ContainerId,
    Func<IReadOnlyList<DnsNetworkView>> Networks,
    IReadOnlyList<IPEndPoint> Upstreams,
    DnsPolicy Policy);

/// <summary>
/// One container's embedded DNS server: a UDP and a TCP socket bound to 127.0.0.11:53 inside
/// the container's network namespace (created there by <see cref="EmbeddedDns"/>), served
/// asynchronously on the thread pool. Local answers are written straight from a pooled buffer;
/// forwarded queries run as their own tasks so a slow upstream never holds up local names.
/// </summary>
public sealed partial class ContainerDnsServer : IAsyncDisposable
{
    private const int UdpBufferSize = 4096;
    private static readonly TimeSpan TcpIdle = TimeSpan.FromSeconds(10);

    private readonly Socket _udp;
    private readonly Socket _tcp;
    private readonly DnsServerContext _context;
    private readonly DnsForwarder _forwarder;
    private readonly ILogger _log;
    private readonly CancellationTokenSource _stop = new();
    private Task _loops = Task.CompletedTask;

    public ContainerDnsServer(Socket udp, Socket tcp, DnsServerContext context, DnsForwarder forwarder, ILogger log)
    {
        _udp = udp;
        _tcp = tcp;
        _context = context;
        _forwarder = forwarder;
        _log = log;
    }

    public string ContainerId => _context.ContainerId;

    public void Start() => _loops = Task.WhenAll(Task.Run(ServeUdpAsync), Task.Run(AcceptTcpAsync));

    private async Task ServeUdpAsync()
    {
        byte[] buffer = ArrayPool<byte>.Shared.Rent(UdpBufferSize);
        byte[] reply = ArrayPool<byte>.Shared.Rent(UdpBufferSize);
        var peer = new SocketAddress(AddressFamily.InterNetwork);
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                int n = await _udp.ReceiveFromAsync(buffer, SocketFlags.None, peer, _stop.Token).ConfigureAwait(false);
                var decision = Decide(buffer.AsSpan(0, n), reply, tcp: false, out int length);
                if (decision == DnsDecision.Reply)
                {
                    await _udp.SendToAsync(reply.AsMemory(0, length), SocketFlags.None, peer, _stop.Token).ConfigureAwait(false);
                }
                else if (decision == DnsDecision.Forward)
                {
                    var client = new SocketAddress(peer.Family, peer.Size);
                    peer.Buffer.CopyTo(client.Buffer);
                    _ = ForwardUdpAsync(buffer.AsSpan(0, n).ToArray(), client);
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException || (e is SocketException && _stop.IsCancellationRequested))
        {
        }
        catch (Exception e) when (e is SocketException or InvalidOperationException or ArgumentException)
        {
            LogServeFailed(_log, _context.ContainerId, "udp", e.Message);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
            ArrayPool<byte>.Shared.Return(reply);
        }
    }

    private async Task ForwardUdpAsync(byte[] query, SocketAddress client)
    {
        try
        {
            byte[] answer = await ForwardOrFailAsync(query, tcp: false).ConfigureAwait(false);
            if (answer.Length > 0)
            {
                await _udp.SendToAsync(answer, SocketFlags.None, client, _stop.Token).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
        {
        }
    }

    private async Task AcceptTcpAsync()
    {
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                var connection = await _tcp.AcceptAsync(_stop.Token).ConfigureAwait(false);
                _ = ServeTcpAsync(connection);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException || (e is SocketException && _stop.IsCancellationRequested))
        {
        }
        catch (SocketException e)
        {
            LogServeFailed(_log, _context.ContainerId, "tcp", e.Message);
        }
    }

    private async Task ServeTcpAsync(Socket connection)
    {
        using var socket = connection;
        await using var stream = new NetworkStream(socket, ownsSocket: false);
        byte[] reply = ArrayPool<byte>.Shared.Rent(ushort.MaxValue + 1);
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                using var idle = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
                idle.CancelAfter(TcpIdle);
                byte[]? query = await DnsTcp.ReadMessageAsync(stream, idle.Token).ConfigureAwait(false);
                if (query is null)
                {
                    return;
                }
                var decision = Decide(query, reply, tcp: true, out int length);
                ReadOnlyMemory<byte> answer = decision switch
                {
                    DnsDecision.Reply => reply.AsMemory(0, length),
                    DnsDecision.Forward => await ForwardOrFailAsync(query, tcp: true).ConfigureAwait(false),
                    _ => ReadOnlyMemory<byte>.Empty,
                };
                if (answer.Length == 0)
                {
                    return;
                }
                await DnsTcp.WriteMessageAsync(stream, answer, _stop.Token).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or IOException or SocketException)
        {
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(reply);
        }
    }

    private DnsDecision Decide(ReadOnlySpan<byte> query, Span<byte> reply, bool tcp, out int length)
    {
        try
        {
            return DnsQueryHandler.Handle(query, reply, _context.Networks(), _context.Policy, tcp, out length);
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException)
        {
            // A record snapshot that changed under us must not kill the server: answer SERVFAIL.
            LogQueryFailed(_log, _context.ContainerId, e.Message);
            length = DnsQueryHandler.ServerFailure(query, reply);
            return length > 0 ? DnsDecision.Reply : DnsDecision.Drop;
        }
    }

    private async Task<byte[]> ForwardOrFailAsync(byte[] query, bool tcp)
    {
        byte[]? answer = await _forwarder.ForwardAsync(_context.Upstreams, query, tcp, _stop.Token).ConfigureAwait(false);
        if (answer is not null)
        {
            return answer;
        }
        var failure = new byte[DnsCodes.UdpMinSize];
        int length = DnsQueryHandler.ServerFailure(query, failure);
        return failure[..length];
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        _udp.Dispose();
        _tcp.Dispose();
        try
        {
            await _loops.ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
        {
        }
        _stop.Dispose();
    }

    [LoggerMessage(EventId = 780, Level = LogLevel.Warning, Message = "Embedded DNS of container {Id} stopped serving {Proto}: {Reason}")]
    private static partial void LogServeFailed(ILogger logger, string id, string proto, string reason);

    [LoggerMessage(EventId = 781, Level = LogLevel.Warning, Message = "Embedded DNS of container {Id}: query failed: {Reason}")]
    private static partial void LogQueryFailed(ILogger logger, string id, string reason);
}
