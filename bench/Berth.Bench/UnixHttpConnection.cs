using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace Berth.Bench;

/// <summary>
/// One keep-alive HTTP/1.1 connection over a unix socket, one request at a time (no pipelining).
/// Deliberately minimal so the load generator spends as little of the shared CPU as possible:
/// it understands a status line, Content-Length, chunked bodies and Connection: close.
/// </summary>
internal sealed class UnixHttpConnection : IDisposable
{
    private readonly Socket _socket;
    private byte[] _buffer = new byte[16 * 1024];
    private int _start;
    private int _end;

    private UnixHttpConnection(Socket socket) => _socket = socket;

    public bool Closed { get; private set; }

    public static UnixHttpConnection Connect(string socketPath)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            socket.Connect(new UnixDomainSocketEndPoint(socketPath));
        }
        catch
        {
            socket.Dispose();
            throw;
        }
        return new UnixHttpConnection(socket);
    }

    public static async Task<UnixHttpConnection> ConnectAsync(string socketPath, CancellationToken ct)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), ct).ConfigureAwait(false);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
        return new UnixHttpConnection(socket);
    }

    public static byte[] BuildGet(string path) =>
        Encoding.ASCII.GetBytes($"GET {path} HTTP/1.1\r\nHost: docker\r\nUser-Agent: berth-bench\r\n\r\n");

    /// <summary>Sends one request and reads the whole response; returns the status code.</summary>
    public async ValueTask<int> SendAsync(ReadOnlyMemory<byte> request, CancellationToken ct)
    {
        while (!request.IsEmpty)
        {
            int sent = await _socket.SendAsync(request, SocketFlags.None, ct).ConfigureAwait(false);
            request = request[sent..];
        }
        int headerEnd;
        while ((headerEnd = IndexOfHeaderEnd()) < 0)
        {
            await FillAsync(ct).ConfigureAwait(false);
        }
        var head = Encoding.ASCII.GetString(_buffer, _start, headerEnd - _start);
        _start = headerEnd + 4;
        int status = ParseStatus(head);
        long contentLength = -1;
        bool chunked = false;
        foreach (var line in head.Split("\r\n").Skip(1))
        {
            int colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0)
            {
                continue;
            }
            var name = line.AsSpan(0, colon).Trim();
            var value = line.AsSpan(colon + 1).Trim();
            if (name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase))
            {
                contentLength = long.Parse(value, CultureInfo.InvariantCulture);
            }
            else if (name.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase) && value.Contains("chunked", StringComparison.OrdinalIgnoreCase))
            {
                chunked = true;
            }
            else if (name.Equals("Connection", StringComparison.OrdinalIgnoreCase) && value.Equals("close", StringComparison.OrdinalIgnoreCase))
            {
                Closed = true;
            }
        }
        if (chunked)
        {
            await SkipChunkedAsync(ct).ConfigureAwait(false);
        }
        else if (contentLength >= 0)
        {
            await SkipAsync(contentLength, ct).ConfigureAwait(false);
        }
        else if (status is not (204 or 304) && !(status >= 100 && status < 200))
        {
            // No length: the body runs to the end of the connection.
            Closed = true;
        }
        return status;
    }

    private static int ParseStatus(string head)
    {
        // "HTTP/1.1 200 OK"
        int sp = head.IndexOf(' ', StringComparison.Ordinal);
        if (sp < 0 || head.Length < sp + 4)
        {
            throw new IOException($"bad status line: {head.Split("\r\n")[0]}");
        }
        return int.Parse(head.AsSpan(sp + 1, 3), CultureInfo.InvariantCulture);
    }

    private int IndexOfHeaderEnd()
    {
        int i = _buffer.AsSpan(_start, _end - _start).IndexOf("\r\n\r\n"u8);
        return i < 0 ? -1 : _start + i;
    }

    private async ValueTask<string> ReadLineAsync(CancellationToken ct)
    {
        int i;
        while ((i = _buffer.AsSpan(_start, _end - _start).IndexOf("\r\n"u8)) < 0)
        {
            await FillAsync(ct).ConfigureAwait(false);
        }
        var line = Encoding.ASCII.GetString(_buffer, _start, i);
        _start += i + 2;
        return line;
    }

    private async ValueTask SkipChunkedAsync(CancellationToken ct)
    {
        while (true)
        {
            var sizeLine = await ReadLineAsync(ct).ConfigureAwait(false);
            int semi = sizeLine.IndexOf(';', StringComparison.Ordinal);
            long size = long.Parse(semi < 0 ? sizeLine : sizeLine[..semi], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            if (size == 0)
            {
                // Trailers, then the empty line.
                while ((await ReadLineAsync(ct).ConfigureAwait(false)).Length > 0)
                {
                }
                return;
            }
            await SkipAsync(size, ct).ConfigureAwait(false);
            await ReadLineAsync(ct).ConfigureAwait(false);
        }
    }

    private async ValueTask SkipAsync(long count, CancellationToken ct)
    {
        while (count > 0)
        {
            if (_end == _start)
            {
                await FillAsync(ct).ConfigureAwait(false);
            }
            int take = (int)Math.Min(count, _end - _start);
            _start += take;
            count -= take;
        }
    }

    private async ValueTask FillAsync(CancellationToken ct)
    {
        if (_start == _end)
        {
            _start = _end = 0;
        }
        else if (_end == _buffer.Length)
        {
            if (_start > 0)
            {
                Array.Copy(_buffer, _start, _buffer, 0, _end - _start);
                _end -= _start;
                _start = 0;
            }
            else
            {
                Array.Resize(ref _buffer, _buffer.Length * 2);
            }
        }
        int n = await _socket.ReceiveAsync(_buffer.AsMemory(_end), SocketFlags.None, ct).ConfigureAwait(false);
        if (n == 0)
        {
            Closed = true;
            throw new IOException("connection closed by the server");
        }
        _end += n;
    }

    public void Dispose() => _socket.Dispose();
}
