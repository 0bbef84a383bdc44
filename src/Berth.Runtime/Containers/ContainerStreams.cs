using System.Threading.Channels;
using Berth.Engine.Containers;
using Berth.Runtime.Monitor;

namespace Berth.Runtime.Containers;

/// <summary>A conmon attachment seen as the engine's <see cref="IContainerStreams"/> (stream ids translated on the way).</summary>
internal sealed class ContainerStreams : IContainerStreams
{
    private readonly IContainerAttachment _attachment;
    private readonly Channel<OutputChunk> _output = Channel.CreateBounded<OutputChunk>(new BoundedChannelOptions(256) { SingleWriter = true });

    public ContainerStreams(IContainerAttachment attachment)
    {
        _attachment = attachment;
        _ = PumpAsync();
    }

    public ChannelReader<OutputChunk> Output => _output.Reader;

    private async Task PumpAsync()
    {
        try
        {
            // Bounded like the attachment's own buffer: waiting here lets that buffer fill, and
            // the attachment then drops the slow client instead of stalling conmon.
            await foreach (var frame in _attachment.Output.ReadAllAsync().ConfigureAwait(false))
            {
                var kind = frame.Stream == ConmonStreamId.Stderr ? OutputKind.Stderr : OutputKind.Stdout;
                await _output.Writer.WriteAsync(new OutputChunk(kind, frame.Data)).ConfigureAwait(false);
            }
            _output.Writer.TryComplete();
        }
        catch (Exception e) when (e is ChannelClosedException or OperationCanceledException or IOException or Engine.Errors.DaemonException)
        {
            _output.Writer.TryComplete(e);
        }
    }

    public ValueTask WriteInputAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default) =>
        _attachment.WriteInputAsync(data, cancellationToken);

    public void CloseInput() => _attachment.CloseInput();

    public void Resize(int rows, int columns) => _attachment.Resize(rows, columns);

    public ValueTask DisposeAsync() => _attachment.DisposeAsync();
}
