namespace Berth.Engine.Distribution;

/// <summary>How a progress line is shaped on the wire (moby progress.Message / Update / a progress reader / Aux).</summary>
public enum ProgressKind
{
    /// <summary>{"status": …, "id": …}</summary>
    Message,

    /// <summary>{"status": …, "progressDetail": {}, "id": …}</summary>
    Update,

    /// <summary>{"status": …, "progressDetail": {"current", "total"}, "progress": "[==>  ] …", "id": …}</summary>
    Progress,

    /// <summary>{"progressDetail": {}, "aux": {"Tag", "Digest", "Size"}}</summary>
    PushResult,
}

/// <summary>The result a push reports after its digest line (moby pushResult aux).</summary>
public sealed record PushResult(string Tag, string Digest, int Size);

/// <summary>One line of a pull or push progress stream.</summary>
public sealed record ProgressMessage(ProgressKind Kind, string? Id, string? Status, long Current = 0, long Total = 0, PushResult? Result = null)
{
    public static ProgressMessage Message(string? id, string status) => new(ProgressKind.Message, id, status);

    public static ProgressMessage Update(string id, string status) => new(ProgressKind.Update, id, status);

    public static ProgressMessage Progress(string id, string status, long current, long total) =>
        new(ProgressKind.Progress, id, status, current, total);
}

/// <summary>Receives progress lines; calls may come from several download tasks at once.</summary>
public delegate ValueTask ProgressSink(ProgressMessage message, CancellationToken cancellationToken);

/// <summary>
/// Counts bytes through a stream and reports them at most every 1/100 of the total (512 KiB at
/// least) or 100 ms, as moby's progress reader throttles, so a fast pull does not spend its time
/// writing progress.
/// </summary>
public sealed class ProgressStream(Stream inner, long total, string id, string status, ProgressSink sink) : Stream
{
    private readonly long _step = Math.Max(total / 100, 512 * 1024);
    private long _current;
    private long _reported;
    private long _lastTicks = Environment.TickCount64;

    public long BytesRead => _current;

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => total;
    public override long Position { get => _current; set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        int n = inner.Read(buffer);
        _current += n;
        return n;
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        int n = await inner.ReadAsync(buffer, cancellationToken);
        _current += n;
        if (n > 0 && _current - _reported >= _step && Environment.TickCount64 - _lastTicks >= 100)
        {
            _reported = _current;
            _lastTicks = Environment.TickCount64;
            await sink(ProgressMessage.Progress(id, status, _current, Math.Max(total, _current)), cancellationToken);
        }
        return n;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
        }
        base.Dispose(disposing);
    }
}
