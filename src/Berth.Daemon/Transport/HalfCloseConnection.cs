using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http.Features;

namespace Berth.Daemon.Transport;

/// <summary>
/// One accepted socket as a Kestrel connection: a receive loop feeding the input pipe and a send
/// loop draining the output pipe. The receive loop ending at FIN completes only the input;
/// <see cref="ConnectionClosed"/> fires when the output is done or the socket fails.
/// </summary>
internal sealed class HalfCloseConnection : ConnectionContext,
    IConnectionIdFeature, IConnectionTransportFeature, IConnectionItemsFeature,
    IConnectionLifetimeFeature, IConnectionEndPointFeature, IConnectionSocketFeature
{
    private const int MinimumReceiveBuffer = 4096;
    private const int MaximumReceiveBuffer = 256 * 1024;
    private const int MaximumGather = 64;
    private static readonly PipeOptions InputOptions = new(pauseWriterThreshold: 1024 * 1024, resumeWriterThreshold: 512 * 1024, useSynchronizationContext: false);
    private static readonly PipeOptions OutputOptions = new(pauseWriterThreshold: 1024 * 1024, resumeWriterThreshold: 512 * 1024, useSynchronizationContext: false);

    private readonly Socket _socket;
    private readonly Pipe _input = new(InputOptions);
    private readonly Pipe _output = new(OutputOptions);
    private readonly CancellationTokenSource _closed = new();
    private readonly FeatureCollection _features = new();
    private Task _receiving = Task.CompletedTask;
    private Task _sending = Task.CompletedTask;
    private int _aborted;

    public HalfCloseConnection(Socket socket, long number)
    {
        _socket = socket;
        ConnectionId = "berth-" + number.ToString(System.Globalization.CultureInfo.InvariantCulture);
        Transport = new DuplexPipe(_input.Reader, _output.Writer);
        ConnectionClosed = _closed.Token;
        LocalEndPoint = socket.LocalEndPoint;
        RemoteEndPoint = socket.RemoteEndPoint;
        _features.Set<IConnectionIdFeature>(this);
        _features.Set<IConnectionTransportFeature>(this);
        _features.Set<IConnectionItemsFeature>(this);
        _features.Set<IConnectionLifetimeFeature>(this);
        _features.Set<IConnectionEndPointFeature>(this);
        _features.Set<IConnectionSocketFeature>(this);
    }

    public override string ConnectionId { get; set; }

    public override IFeatureCollection Features => _features;

    public override IDictionary<object, object?> Items { get; set; } = new Dictionary<object, object?>();

    public override IDuplexPipe Transport { get; set; }

    public override CancellationToken ConnectionClosed { get; set; }

    public override EndPoint? LocalEndPoint { get; set; }

    public override EndPoint? RemoteEndPoint { get; set; }

    public Socket Socket => _socket;

    public void Start()
    {
        _receiving = ReceiveAsync();
        _sending = SendAsync();
    }

    public override void Abort(ConnectionAbortedException abortReason)
    {
        if (Interlocked.Exchange(ref _aborted, 1) != 0)
        {
            return;
        }
        // Unblocks both loops: the receive fails, the send loop sees a cancelled read.
        _output.Reader.CancelPendingRead();
        try
        {
            _socket.Shutdown(SocketShutdown.Both);
        }
        catch (SocketException)
        {
        }
        catch (ObjectDisposedException)
        {
        }
        _socket.Dispose();
    }

    public override async ValueTask DisposeAsync()
    {
        _output.Writer.Complete();
        _input.Reader.Complete();
        await _sending;
        await _receiving;
        _socket.Dispose();
        _closed.Dispose();
        await base.DisposeAsync();
    }

    private async Task ReceiveAsync()
    {
        Exception? error = null;
        var writer = _input.Writer;
        try
        {
            int size = MinimumReceiveBuffer;
            while (true)
            {
                var buffer = writer.GetMemory(size);
                int received = await _socket.ReceiveAsync(buffer, SocketFlags.None);
                if (received == 0)
                {
                    break; // FIN: the client is done sending, not done reading.
                }
                writer.Advance(received);
                // A full buffer means a bulk upload (docker cp, load, build context): grow the next
                // receive so it takes one syscall per large block; an idle connection keeps a small one.
                size = received >= buffer.Length ? Math.Min(size * 4, MaximumReceiveBuffer) : MinimumReceiveBuffer;
                var flush = await writer.FlushAsync();
                if (flush.IsCompleted || flush.IsCanceled)
                {
                    break;
                }
            }
        }
        catch (SocketException e)
        {
            error = new ConnectionResetException(e.Message, e);
            Close();
        }
        catch (ObjectDisposedException)
        {
            error = new ConnectionAbortedException();
        }
        await writer.CompleteAsync(error);
    }

    private async Task SendAsync()
    {
        var reader = _output.Reader;
        var gather = new List<ArraySegment<byte>>(MaximumGather);
        try
        {
            while (true)
            {
                var result = await reader.ReadAsync();
                if (result.IsCanceled)
                {
                    break;
                }
                var buffer = result.Buffer;
                await SendAllAsync(buffer, gather);
                reader.AdvanceTo(buffer.End);
                if (result.IsCompleted)
                {
                    break;
                }
            }
        }
        catch (SocketException)
        {
        }
        catch (ObjectDisposedException)
        {
        }
        await reader.CompleteAsync();
        Close();
    }

    /// <summary>
    /// Sends the pipe's segments (4 KiB each when the response is large) with one sendmsg per
    /// <see cref="MaximumGather"/> of them instead of one send per segment.
    /// </summary>
    private async Task SendAllAsync(ReadOnlySequence<byte> buffer, List<ArraySegment<byte>> gather)
    {
        if (buffer.IsSingleSegment)
        {
            await _socket.SendAsync(buffer.First, SocketFlags.None);
            return;
        }
        foreach (var segment in buffer)
        {
            if (!MemoryMarshal.TryGetArray(segment, out ArraySegment<byte> array))
            {
                await FlushGatherAsync(gather);
                await _socket.SendAsync(segment, SocketFlags.None);
                continue;
            }
            gather.Add(array);
            if (gather.Count == MaximumGather)
            {
                await FlushGatherAsync(gather);
            }
        }
        await FlushGatherAsync(gather);
    }

    private async Task FlushGatherAsync(List<ArraySegment<byte>> gather)
    {
        if (gather.Count > 0)
        {
            await _socket.SendAsync(gather, SocketFlags.None);
            gather.Clear();
        }
    }

    /// <summary>The application or the peer is done: end the connection for good.</summary>
    private void Close()
    {
        try
        {
            _socket.Shutdown(SocketShutdown.Both);
        }
        catch (SocketException)
        {
        }
        catch (ObjectDisposedException)
        {
        }
        ThreadPool.UnsafeQueueUserWorkItem(static state => ((HalfCloseConnection)state!).FireClosed(), this);
    }

    private void FireClosed()
    {
        try
        {
            _closed.Cancel();
        }
        catch (ObjectDisposedException)
        {
        }
    }

    private sealed class DuplexPipe(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input { get; } = input;

        public PipeWriter Output { get; } = output;
    }
}
