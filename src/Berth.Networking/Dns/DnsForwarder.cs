using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace Berth.Networking.Dns;

/// <summary>
/// Relays queries for names that are not the daemon's to external servers, from berthd's own
/// network namespace (so host-local resolvers such as 127.0.0.53 work, as dockerd's
/// "HostLoopback" servers do). Up to three servers are tried in order with a 4 s timeout each,
/// and a SERVFAIL/REFUSED moves on to the next (libnetwork resolver forwardExtDNS); the answer
/// is relayed byte for byte. null when nobody gave a usable answer.
/// </summary>
public sealed class DnsForwarder
{
    public const int MaxServers = 3;
    private readonly TimeSpan _timeout;

    public DnsForwarder(TimeSpan? timeout = null)
    {
        _timeout = timeout ?? TimeSpan.FromSeconds(4);
    }

    public async Task<byte[]?> ForwardAsync(IReadOnlyList<IPEndPoint> servers, ReadOnlyMemory<byte> query, bool tcp, CancellationToken cancellationToken)
    {
        byte[]? fallback = null;
        foreach (var server in servers.Take(MaxServers))
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(_timeout);
            byte[]? answer;
            try
            {
                answer = tcp ? await ExchangeTcpAsync(server, query, timeout.Token).ConfigureAwait(false)
                             : await ExchangeUdpAsync(server, query, timeout.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is SocketException or OperationCanceledException or IOException && !cancellationToken.IsCancellationRequested)
            {
                continue;
            }
            if (answer is null || answer.Length < DnsCodes.HeaderSize || answer[0] != query.Span[0] || answer[1] != query.Span[1])
            {
                continue;
            }
            int rcode = answer[3] & 0xF;
            if (rcode is DnsCodes.ServFail or DnsCodes.Refused)
            {
                fallback ??= answer;
                continue;
            }
            return answer;
        }
        return fallback;
    }

    private static async Task<byte[]?> ExchangeUdpAsync(IPEndPoint server, ReadOnlyMemory<byte> query, CancellationToken cancellationToken)
    {
        using var socket = new Socket(server.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        await socket.ConnectAsync(server, cancellationToken).ConfigureAwait(false);
        await socket.SendAsync(query, SocketFlags.None, cancellationToken).ConfigureAwait(false);
        var buffer = new byte[4096];
        while (true)
        {
            int n = await socket.ReceiveAsync(buffer, SocketFlags.None, cancellationToken).ConfigureAwait(false);
            // A stray datagram with another id is not our answer; keep waiting until the timeout.
            if (n >= 2 && buffer[0] == query.Span[0] && buffer[1] == query.Span[1])
            {
                return buffer[..n];
            }
        }
    }

    private static async Task<byte[]?> ExchangeTcpAsync(IPEndPoint server, ReadOnlyMemory<byte> query, CancellationToken cancellationToken)
    {
        using var socket = new Socket(server.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(server, cancellationToken).ConfigureAwait(false);
        await using var stream = new NetworkStream(socket, ownsSocket: false);
        var prefix = new byte[2];
        BinaryPrimitives.WriteUInt16BigEndian(prefix, (ushort)query.Length);
        await stream.WriteAsync(prefix, cancellationToken).ConfigureAwait(false);
        await stream.WriteAsync(query, cancellationToken).ConfigureAwait(false);
        return await DnsTcp.ReadMessageAsync(stream, cancellationToken).ConfigureAwait(false);
    }
}

/// <summary>DNS over TCP framing: a 2-byte big-endian length before each message.</summary>
internal static class DnsTcp
{
    public static async Task<byte[]?> ReadMessageAsync(Stream stream, CancellationToken cancellationToken)
    {
        var prefix = new byte[2];
        if (!await ReadExactlyOrEofAsync(stream, prefix, cancellationToken).ConfigureAwait(false))
        {
            return null;
        }
        int length = BinaryPrimitives.ReadUInt16BigEndian(prefix);
        var message = new byte[length];
        return await ReadExactlyOrEofAsync(stream, message, cancellationToken).ConfigureAwait(false) ? message : null;
    }

    public static async Task WriteMessageAsync(Stream stream, ReadOnlyMemory<byte> message, CancellationToken cancellationToken)
    {
        var framed = new byte[message.Length + 2];
        BinaryPrimitives.WriteUInt16BigEndian(framed, (ushort)message.Length);
        message.CopyTo(framed.AsMemory(2));
        await stream.WriteAsync(framed, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<bool> ReadExactlyOrEofAsync(Stream stream, Memory<byte> buffer, CancellationToken cancellationToken)
    {
        int read = 0;
        while (read < buffer.Length)
        {
            int n = await stream.ReadAsync(buffer[read..], cancellationToken).ConfigureAwait(false);
            if (n == 0)
            {
                return false;
            }
            read += n;
        }
        return true;
    }
}
