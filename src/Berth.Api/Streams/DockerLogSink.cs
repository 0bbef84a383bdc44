using System.Buffers.Binary;
using System.IO.Pipelines;
using Berth.Engine.Containers;
using Berth.Engine.Containers.Logs;

namespace Berth.Api.Streams;

/// <summary>
/// Writes log entries the way dockerd's WriteLogStream does: one stdcopy frame per entry
/// ([stream, 0, 0, 0, big-endian length] + payload) unless the container has a TTY (raw), the
/// payload being [timestamp " "][details " "]content["\n"]. Writes go straight into the
/// response's pipe (no per-entry allocation); flushes apply the client's backpressure.
/// </summary>
public sealed class DockerLogSink : ILogSink
{
    public const int HeaderSize = 8;
    private const int TimestampLength = 30; // 2006-01-02T15:04:05.000000000Z

    private readonly PipeWriter _output;
    private readonly bool _multiplexed;
    private readonly bool _timestamps;
    private readonly byte[]? _details;
    private readonly byte[] _secondPrefix = new byte[20]; // "2006-01-02T15:04:05."
    private long _cachedSecond = long.MinValue;

    /// <param name="details">null: no --details; else the "k=v,…" attributes (may be empty).</param>
    public DockerLogSink(PipeWriter output, bool multiplexed, bool timestamps, string? details)
    {
        _output = output;
        _multiplexed = multiplexed;
        _timestamps = timestamps;
        _details = details is null ? null : System.Text.Encoding.UTF8.GetBytes(details + " ");
    }

    /// <summary>Bytes written so far (tests, benchmarks).</summary>
    public long Written { get; private set; }

    public void Write(long timestampNanos, OutputKind stream, ReadOnlySpan<byte> content, bool newline)
    {
        int payload = content.Length + (newline ? 1 : 0) + (_timestamps ? TimestampLength + 1 : 0) + (_details?.Length ?? 0);
        int total = payload + (_multiplexed ? HeaderSize : 0);
        Span<byte> span = _output.GetSpan(total);
        int at = 0;
        if (_multiplexed)
        {
            span[0] = (byte)stream;
            span[1] = 0;
            span[2] = 0;
            span[3] = 0;
            BinaryPrimitives.WriteUInt32BigEndian(span[4..], (uint)payload);
            at = HeaderSize;
        }
        if (_timestamps)
        {
            at += FormatTimestamp(timestampNanos, span[at..]);
            span[at++] = (byte)' ';
        }
        if (_details is not null)
        {
            _details.CopyTo(span[at..]);
            at += _details.Length;
        }
        content.CopyTo(span[at..]);
        at += content.Length;
        if (newline)
        {
            span[at++] = (byte)'\n';
        }
        _output.Advance(at);
        Written += at;
    }

    public async ValueTask FlushAsync(CancellationToken cancellationToken)
    {
        FlushResult result = await _output.FlushAsync(cancellationToken).ConfigureAwait(false);
        if (result.IsCompleted || result.IsCanceled)
        {
            throw new OperationCanceledException("the client went away");
        }
    }

    /// <summary>RFC3339Nano with all nine digits, UTC ("Z"): jsonmessage.RFC3339NanoFixed.</summary>
    public int FormatTimestamp(long nanos, Span<byte> destination)
    {
        long second = Math.DivRem(nanos, 1_000_000_000L, out long fraction);
        if (fraction < 0)
        {
            second--;
            fraction += 1_000_000_000L;
        }
        if (second != _cachedSecond)
        {
            DateTime t = DateTime.UnixEpoch.AddSeconds(second);
            _ = t.TryFormat(_secondPrefix, out _, "yyyy-MM-ddTHH:mm:ss.", System.Globalization.CultureInfo.InvariantCulture);
            _cachedSecond = second;
        }
        _secondPrefix.CopyTo(destination);
        for (int d = 28; d >= 20; d--)
        {
            destination[d] = (byte)('0' + (fraction % 10));
            fraction /= 10;
        }
        destination[29] = (byte)'Z';
        return TimestampLength;
    }
}
