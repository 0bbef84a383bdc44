using System.Buffers;
using Berth.Engine.Containers;
using Berth.Engine.Containers.Logs;

namespace Berth.Runtime.Logs;

/// <summary>
/// Turns k8s-file records into docker logs entries: joins P chunks per stream until their F
/// record (the entry keeps its first chunk's time), drops entries a compressed file's tail
/// skips, applies since/until (dockerd: after the tail) and the stream selection, and hands
/// each entry to the sink without copying unless chunks had to be joined.
/// </summary>
internal sealed class LogEntryWriter : IDisposable
{
    private readonly LogQuery _query;
    private readonly ILogSink _sink;
    private readonly K8sLineParser _parser = new();
    private readonly byte[]?[] _partial = new byte[]?[3];
    private readonly int[] _partialLength = new int[3];
    private readonly long[] _partialStart = new long[3];

    public LogEntryWriter(LogQuery query, ILogSink sink)
    {
        _query = query;
        _sink = sink;
    }

    /// <summary>Complete entries still to be dropped before output starts (tail through a compressed file).</summary>
    public long SkipEntries { get; set; }

    /// <summary>An entry after Until was seen: nothing later can match, the reader stops.</summary>
    public bool PastUntil { get; private set; }

    /// <summary>One record, without its '\n'. Lines that do not parse (torn or foreign) are skipped.</summary>
    public void AddLine(ReadOnlySpan<byte> line)
    {
        if (!_parser.TryParse(line, out long nanos, out OutputKind stream, out bool partial, out ReadOnlySpan<byte> content))
        {
            return;
        }
        int s = (int)stream;
        if (partial)
        {
            Append(s, nanos, content);
            return;
        }
        if (_partial[s] is byte[] pending)
        {
            Append(s, nanos, content);
            pending = _partial[s]!;
            Emit(_partialStart[s], stream, pending.AsSpan(0, _partialLength[s]), newline: true);
            Release(s);
            return;
        }
        Emit(nanos, stream, content, newline: true);
    }

    /// <summary>Chunks that will never get their newline (the container is gone): entries without one.</summary>
    public void FlushPartials()
    {
        for (int s = 1; s <= 2; s++)
        {
            if (_partial[s] is byte[] pending)
            {
                Emit(_partialStart[s], (OutputKind)s, pending.AsSpan(0, _partialLength[s]), newline: false);
                Release(s);
            }
        }
    }

    public void Dispose()
    {
        for (int s = 1; s <= 2; s++)
        {
            Release(s);
        }
    }

    private void Append(int s, long nanos, ReadOnlySpan<byte> content)
    {
        byte[]? buffer = _partial[s];
        if (buffer is null)
        {
            buffer = ArrayPool<byte>.Shared.Rent(Math.Max(256, content.Length * 2));
            _partial[s] = buffer;
            _partialLength[s] = 0;
            _partialStart[s] = nanos;
        }
        int length = _partialLength[s];
        if (length + content.Length > buffer.Length)
        {
            byte[] bigger = ArrayPool<byte>.Shared.Rent(Math.Max(buffer.Length * 2, length + content.Length));
            buffer.AsSpan(0, length).CopyTo(bigger);
            ArrayPool<byte>.Shared.Return(buffer);
            buffer = bigger;
            _partial[s] = buffer;
        }
        content.CopyTo(buffer.AsSpan(length));
        _partialLength[s] = length + content.Length;
    }

    private void Release(int s)
    {
        if (_partial[s] is byte[] buffer)
        {
            ArrayPool<byte>.Shared.Return(buffer);
            _partial[s] = null;
            _partialLength[s] = 0;
        }
    }

    private void Emit(long nanos, OutputKind stream, ReadOnlySpan<byte> content, bool newline)
    {
        if (SkipEntries > 0)
        {
            SkipEntries--;
            return;
        }
        if (_query.Since is long since && nanos < since)
        {
            return;
        }
        if (_query.Until is long until && nanos > until)
        {
            PastUntil = true;
            return;
        }
        if ((stream == OutputKind.Stdout && !_query.Stdout) || (stream == OutputKind.Stderr && !_query.Stderr))
        {
            return;
        }
        _sink.Write(nanos, stream, content, newline);
    }
}
