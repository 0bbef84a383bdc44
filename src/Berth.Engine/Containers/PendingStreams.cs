using System.Threading.Channels;

namespace Berth.Engine.Containers;

/// <summary>
/// An attach made while the container is not running (the CLI attaches before it starts). It
/// buffers the client's input and hands out one output channel; when the container starts,
/// the service connects it to the real streams after `runtime create` and before `runtime
/// start`, so the first bytes of output are not lost. Output ends when that run ends, or at
/// once when the start fails or the container is removed.
/// </summary>
internal sealed class PendingStreams : IContainerStreams
{
    private readonly Channel<OutputChunk> _output = Channel.CreateBounded<OutputChunk>(new BoundedChannelOptions(256) { SingleWriter = true });
    private readonly List<ReadOnlyMemory<byte>> _bufferedInput = [];
    private readonly Action<PendingStreams> _detach;
    private readonly Lock _lock = new();
    private IContainerStreams? _inner;
    private bool _inputClosed;
    private (int Rows, int Columns)? _size;
    private int _disposed;

    public PendingStreams(Action<PendingStreams> detach)
    {
        _detach = detach;
    }

    public ChannelReader<OutputChunk> Output => _output.Reader;

    /// <summary>Connects to the started container's streams and pumps its output through.</summary>
    public async Task ConnectAsync(IContainerStreams inner)
    {
        List<ReadOnlyMemory<byte>> pending;
        bool close;
        bool disposed;
        lock (_lock)
        {
            disposed = _disposed != 0;
            if (!disposed)
            {
                _inner = inner;
            }
            pending = [.. _bufferedInput];
            _bufferedInput.Clear();
            close = _inputClosed;
        }
        if (disposed)
        {
            await inner.DisposeAsync().ConfigureAwait(false);
            return;
        }
        if (_size is { } size)
        {
            inner.Resize(size.Rows, size.Columns);
        }
        foreach (var data in pending)
        {
            await inner.WriteInputAsync(data).ConfigureAwait(false);
        }
        if (close)
        {
            inner.CloseInput();
        }
        _ = PumpAsync(inner);
    }

    private async Task PumpAsync(IContainerStreams inner)
    {
        try
        {
            await foreach (var chunk in inner.Output.ReadAllAsync().ConfigureAwait(false))
            {
                await _output.Writer.WriteAsync(chunk).ConfigureAwait(false);
            }
            _output.Writer.TryComplete();
        }
        catch (Exception e)
        {
            // Whatever ended the inner stream (a dropped slow client is a DaemonException) ends ours:
            // an output left open would hold the attach until its client gives up.
            _output.Writer.TryComplete(e);
        }
    }

    /// <summary>The container will not start this time (failed start, removal): end the output.</summary>
    public void Fail(Exception? error = null) => _output.Writer.TryComplete(error);

    public async ValueTask WriteInputAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default)
    {
        IContainerStreams? inner;
        lock (_lock)
        {
            inner = _inner;
            if (inner is null)
            {
                _bufferedInput.Add(data.ToArray());
                return;
            }
        }
        await inner.WriteInputAsync(data, cancellationToken).ConfigureAwait(false);
    }

    public void CloseInput()
    {
        IContainerStreams? inner;
        lock (_lock)
        {
            _inputClosed = true;
            inner = _inner;
        }
        inner?.CloseInput();
    }

    public void Resize(int rows, int columns)
    {
        _size = (rows, columns);
        _inner?.Resize(rows, columns);
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        _detach(this);
        IContainerStreams? inner;
        lock (_lock)
        {
            inner = _inner;
        }
        _output.Writer.TryComplete();
        if (inner is not null)
        {
            await inner.DisposeAsync().ConfigureAwait(false);
        }
    }
}
