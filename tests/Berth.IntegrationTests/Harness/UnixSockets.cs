using System.Buffers.Binary;
using System.Net.Sockets;
using System.Text;

namespace Berth.IntegrationTests.Harness;

/// <summary>HTTP clients over a daemon's unix socket that stream (logs -f, websockets) instead of buffering.</summary>
public static class UnixSockets
{
    public static SocketsHttpHandler Handler(string socketPath) => new()
    {
        ConnectCallback = async (_, ct) =>
        {
            var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            try
            {
                await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), ct);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        },
        UseCookies = false,
    };

    public static HttpClient HttpClient(string socketPath, TimeSpan timeout) =>
        new(Handler(socketPath)) { BaseAddress = new Uri("http://localhost"), Timeout = timeout };

    /// <summary>A raw connection: for hijacked streams whose reading the test controls.</summary>
    public static async Task<NetworkStream> ConnectAsync(string socketPath, CancellationToken ct = default)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), ct);
        return new NetworkStream(socket, ownsSocket: true);
    }
}

/// <summary>Reads Docker's stdcopy frames ([stream, 0, 0, 0, big-endian size] + payload) from a stream.</summary>
public sealed class StdcopyReader(Stream stream)
{
    private readonly StringBuilder _pending = new();

    /// <summary>Stdout and stderr bytes in arrival order, until at least <paramref name="length"/> characters arrived.</summary>
    public async Task<string> ReadTextAsync(int length, CancellationToken ct = default)
    {
        while (_pending.Length < length)
        {
            if (!await ReadFrameAsync(ct))
            {
                break;
            }
        }
        int take = Math.Min(length, _pending.Length);
        string text = _pending.ToString(0, take);
        _pending.Remove(0, take);
        return text;
    }

    /// <summary>Everything until the daemon ends the stream.</summary>
    public async Task<string> ReadToEndAsync(CancellationToken ct = default)
    {
        while (await ReadFrameAsync(ct))
        {
        }
        string text = _pending.ToString();
        _pending.Clear();
        return text;
    }

    private async Task<bool> ReadFrameAsync(CancellationToken ct)
    {
        byte[] header = new byte[8];
        if (!await FillAsync(header, ct))
        {
            return false;
        }
        byte[] payload = new byte[BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan(4))];
        if (!await FillAsync(payload, ct))
        {
            return false;
        }
        _pending.Append(Encoding.UTF8.GetString(payload));
        return true;
    }

    private async Task<bool> FillAsync(byte[] buffer, CancellationToken ct)
    {
        int read = 0;
        while (read < buffer.Length)
        {
            int n = await stream.ReadAsync(buffer.AsMemory(read), ct);
            if (n == 0)
            {
                return false;
            }
            read += n;
        }
        return true;
    }
}
