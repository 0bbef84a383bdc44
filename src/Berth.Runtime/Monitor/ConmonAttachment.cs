using System.Globalization;
using System.Net.Sockets;
using System.Text;
using System.Threading.Channels;
using Berth.Engine.Errors;
using Berth.Linux;

namespace Berth.Runtime.Monitor;

/// <summary>One message of container output as conmon sent it (one pipe/pty read, ≤ 8 KiB).</summary>
public readonly record struct AttachFrame(ConmonStreamId Stream, ReadOnlyMemory<byte> Data);

/// <summary>
/// One connection to conmon's attach socket (AF_UNIX SOCK_SEQPACKET). conmon writes to clients
/// with blocking writes, so a client that stops reading stalls the container's output and its
/// log. A pump therefore drains the socket continuously into a bounded buffer; when the
/// consumer falls that far behind, the attachment is dropped (output ends with an error)
/// rather than letting conmon block.
/// </summary>
public sealed class ConmonAttachment : IContainerAttachment
{
    /// <summary>conmon drops whatever exceeds 32 KiB in one input message: input is cut into such chunks.</summary>
    public const int MaxInputMessage = 32768;

    private const int MaxOutputMessage = 8192 + 1; // stream byte + one 8 KiB read

    private const int MaxSocketPath = 108; // sizeof(sockaddr_un.sun_path), the terminating NUL included

    private readonly Socket _socket;
    private readonly Channel<AttachFrame> _output;
    private readonly string _controlFifo;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _pump;
    private int _disposed;

    private ConmonAttachment(Socket socket, string controlFifo, int capacity)
    {
        _socket = socket;
        _controlFifo = controlFifo;
        _output = Channel.CreateBounded<AttachFrame>(new BoundedChannelOptions(capacity)
        {
            SingleWriter = true,
            FullMode = BoundedChannelFullMode.Wait, // never used for waiting: the pump only calls TryWrite
        });
        _pump = Task.Run(PumpAsync);
    }

    /// <summary>Container output in order; completes at EOF (container exited), or faults when this client was dropped for being too slow.</summary>
    public ChannelReader<AttachFrame> Output => _output.Reader;

    /// <summary>Completes when the pump stops (EOF, drop or dispose).</summary>
    public Task Completion => _pump;

    /// <summary>True when the pump gave up on a consumer that could not keep up.</summary>
    public bool Dropped { get; private set; }

    /// <param name="socketPath">&lt;socket-dir&gt;/&lt;uuid&gt;/attach: the symlinked short path keeps sun_path under 108 bytes.</param>
    /// <param name="controlFifo">The bundle's ctl fifo (resize, log reopen).</param>
    /// <param name="capacity">Frames buffered for a slow consumer before it is dropped (≤ 8 KiB each).</param>
    public static async Task<ConmonAttachment> ConnectAsync(string socketPath, string controlFifo, int capacity = 256, CancellationToken cancellationToken = default)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Seqpacket, ProtocolType.Unspecified);
        int directory = -1;
        try
        {
            string target = socketPath;
            if (Encoding.UTF8.GetByteCount(socketPath) >= MaxSocketPath)
            {
                // sun_path holds 108 bytes (a deep exec root with a 64-hex id exceeds it): go through
                // an fd of the socket's directory, as conmon does when it binds.
                directory = FileSys.OpenDirectory(Path.GetDirectoryName(socketPath)!);
                target = string.Create(CultureInfo.InvariantCulture, $"/proc/self/fd/{directory}/{Path.GetFileName(socketPath)}");
            }
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(target), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is SocketException or IOException)
        {
            socket.Dispose();
            throw new DaemonException(ErrorKind.Conflict, $"cannot attach: {socketPath}: {e.Message}", e);
        }
        finally
        {
            if (directory >= 0)
            {
                FileSys.Close(directory);
            }
        }
        return new ConmonAttachment(socket, controlFifo, capacity);
    }

    /// <summary>Sends stdin bytes, cut into messages of at most 32 KiB (conmon would drop the rest silently).</summary>
    public async ValueTask WriteInputAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default)
    {
        while (!data.IsEmpty)
        {
            ReadOnlyMemory<byte> chunk = data[..Math.Min(data.Length, MaxInputMessage)];
            int sent = await _socket.SendAsync(chunk, SocketFlags.None, cancellationToken).ConfigureAwait(false);
            data = data[sent..];
        }
    }

    /// <summary>Half-close: conmon then closes the container's stdin (unless it runs with --leave-stdin-open). Output keeps flowing.</summary>
    public void CloseInput() => _socket.Shutdown(SocketShutdown.Send);

    /// <summary>TTY resize through the ctl fifo ("1 rows cols").</summary>
    public void Resize(int rows, int columns) => ConmonControl.Resize(_controlFifo, rows, columns);

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        await _stop.CancelAsync().ConfigureAwait(false);
        _socket.Dispose();
        try
        {
            await _pump.ConfigureAwait(false);
        }
        finally
        {
            _stop.Dispose();
        }
    }

    private async Task PumpAsync()
    {
        byte[] buffer = new byte[MaxOutputMessage * 2];
        Exception? error = null;
        try
        {
            while (true)
            {
                int n = await _socket.ReceiveAsync(buffer, SocketFlags.None, _stop.Token).ConfigureAwait(false);
                if (n == 0)
                {
                    break; // conmon closed us: the container (or exec) exited
                }
                if (n == 1)
                {
                    continue;
                }
                var frame = new AttachFrame((ConmonStreamId)buffer[0], buffer.AsSpan(1, n - 1).ToArray());
                if (!_output.Writer.TryWrite(frame))
                {
                    Dropped = true;
                    error = new DaemonException(ErrorKind.Unavailable, "attach client could not keep up with the container's output and was dropped");
                    _socket.Dispose(); // conmon sees a disconnect instead of blocking on us
                    break;
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (SocketException)
        {
        }
        catch (ObjectDisposedException)
        {
        }
        _output.Writer.TryComplete(error);
    }
}

/// <summary>conmon's ctl fifo in the bundle dir: text lines "TYPE A B".</summary>
public static class ConmonControl
{
    public static void Resize(string controlFifo, int rows, int columns) =>
        Write(controlFifo, string.Create(CultureInfo.InvariantCulture, $"1 {rows} {columns}\n"));

    /// <summary>conmon reopens (recreates) its k8s-file log: rotate by renaming the file first.</summary>
    public static void ReopenLog(string controlFifo) => Write(controlFifo, "2 0 0\n");

    private static void Write(string fifo, string line)
    {
        try
        {
            Libc.WriteFifo(fifo, Encoding.ASCII.GetBytes(line));
        }
        catch (IOException e)
        {
            // ENXIO/ENOENT: no monitor reads the fifo any more, i.e. the container is not running.
            throw new DaemonException(ErrorKind.Conflict, $"container monitor is not running: {e.Message}", e);
        }
    }
}
