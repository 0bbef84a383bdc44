namespace Berth.Runtime.Monitor;

/// <summary>
/// Joins P chunks per stream into entries and applies stream, since/until and tail filters.
/// Pure: fed one record line at a time, so it is unit-tested without files.
/// </summary>
internal sealed class LogAssembler(LogReadOptions options)
{
    private readonly MemoryStream?[] _partial = new MemoryStream?[3];
    private readonly long[] _partialStart = new long[3];
    private readonly List<LogEntry> _ready = [];
    private readonly Queue<LogEntry>? _tail = options.Tail is >= 0 ? new Queue<LogEntry>() : null;
    private bool _tailFlushed;

    /// <summary>An entry after Until was seen: nothing later can match.</summary>
    public bool PastUntil { get; private set; }

    public void Add(ReadOnlySpan<byte> line)
    {
        if (!K8sLogRecord.TryParse(line, out K8sLogRecord r))
        {
            return; // a torn or foreign line: skip it rather than fail the whole stream
        }
        int s = (int)r.Stream;
        if (r.Partial)
        {
            if (_partial[s] is null)
            {
                _partial[s] = new MemoryStream();
                _partialStart[s] = r.TimestampNanos;
            }
            _partial[s]!.Write(r.Content);
            return;
        }
        long ts = r.TimestampNanos;
        ReadOnlyMemory<byte> content;
        if (_partial[s] is MemoryStream joined)
        {
            joined.Write(r.Content);
            content = joined.ToArray();
            ts = _partialStart[s];
            _partial[s] = null;
        }
        else
        {
            content = r.Content.ToArray();
        }
        Emit(new LogEntry(ts, r.Stream, content, Complete: true));
    }

    /// <summary>Entries ready to be sent (none while a tail is still being collected).</summary>
    public List<LogEntry> TakeReady()
    {
        var list = new List<LogEntry>(_ready);
        _ready.Clear();
        return list;
    }

    /// <summary>At the first EOF: the last N entries, plus output that never got its newline (a container's last printf).</summary>
    public IEnumerable<LogEntry> FlushTail()
    {
        _tailFlushed = true;
        if (!options.Follow)
        {
            FlushPartials();
        }
        var list = new List<LogEntry>();
        if (_tail is not null)
        {
            list.AddRange(_tail);
            _tail.Clear();
        }
        list.AddRange(_ready);
        _ready.Clear();
        return list;
    }

    /// <summary>Chunks that will never get their newline (the writer is gone) become incomplete entries.</summary>
    public void FlushPartials()
    {
        for (int s = 1; s <= 2; s++)
        {
            if (_partial[s] is MemoryStream pending)
            {
                Emit(new LogEntry(_partialStart[s], (DockerStreamId)s, pending.ToArray(), Complete: false));
                _partial[s] = null;
            }
        }
    }

    private void Emit(LogEntry e)
    {
        if ((e.Stream == DockerStreamId.Stdout && !options.Stdout) || (e.Stream == DockerStreamId.Stderr && !options.Stderr)
            || (options.Since is long since && e.TimestampNanos < since))
        {
            return;
        }
        if (options.Until is long until && e.TimestampNanos > until)
        {
            PastUntil = true;
            return;
        }
        if (_tail is not null && !_tailFlushed)
        {
            _tail.Enqueue(e);
            if (_tail.Count > options.Tail)
            {
                _ = _tail.Dequeue();
            }
            return;
        }
        _ready.Add(e);
    }
}
