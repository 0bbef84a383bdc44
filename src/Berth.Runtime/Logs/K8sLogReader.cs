using System.Buffers;
using Berth.Engine.Containers.Logs;
using Berth.Linux;

namespace Berth.Runtime.Logs;

/// <summary>
/// `docker logs` over conmon's k8s-file log set: rotated files oldest first, then the current
/// one; a tail located by reading backwards; follow by change events on the log's directory (one
/// shared inotify instance) with a slow poll as a backstop. Follow survives the rotator's rename +
/// conmon's reopen (the old file is drained, then the new one read from its start) and ends once
/// the container has exited and the file is read to its end.
/// </summary>
public sealed class K8sLogReader : IContainerLogReader
{
    private const int BufferSize = 128 * 1024;

    /// <summary>Re-check interval when no change event arrives (a lost event, a directory recreated).</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(1);

    public async Task CopyAsync(string logPath, LogQuery query, Task? exited, ILogSink sink, CancellationToken cancellationToken)
    {
        using var writer = new LogEntryWriter(query, sink);
        // Subscribed before the files are opened, so a write right after the open still wakes us.
        using ChangeSignal? changes = query.Follow ? ChangeSignal.Watch(logPath) : null;
        List<LogFile> files = LogFileSet.Open(logPath); // newest first
        byte[] buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        try
        {
            LogFile? current = files.Count > 0 && files[0].Path == logPath ? files[0] : null;
            (int first, long offset) = await StartAsync(files, query.Tail, writer, cancellationToken).ConfigureAwait(false);
            long position = 0;
            for (int i = first; i >= 0 && !writer.PastUntil; i--)
            {
                long from = i == first ? offset : 0;
                if (files[i] == current)
                {
                    position = await ReadAsync(current, from, writer, buffer, sink, cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    await ReadRotatedAsync(files[i], from, writer, buffer, sink, cancellationToken).ConfigureAwait(false);
                }
            }
            if (query.Follow && !writer.PastUntil)
            {
                await FollowAsync(logPath, current, position, exited, changes!, writer, buffer, sink, cancellationToken).ConfigureAwait(false);
            }
            writer.FlushPartials();
            await sink.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
            foreach (LogFile f in files)
            {
                f.Dispose();
            }
        }
    }

    /// <summary>Which file (index, newest = 0) and offset output starts at; a compressed file's tail is a skip count instead.</summary>
    private static async Task<(int Index, long Offset)> StartAsync(List<LogFile> files, int tail, LogEntryWriter writer, CancellationToken cancellationToken)
    {
        if (files.Count == 0)
        {
            return (-1, 0);
        }
        if (tail < 0)
        {
            return (files.Count - 1, 0);
        }
        if (tail == 0)
        {
            // Nothing from the past; a follower starts at the current end.
            return files[0].Compressed ? (-1, 0) : (0, files[0].Length);
        }
        long needed = tail;
        for (int i = 0; i < files.Count; i++)
        {
            LogFile f = files[i];
            if (f.Compressed)
            {
                long count;
                await using (Stream s = f.OpenDecompressed())
                {
                    count = await TailLocator.CountAsync(s, cancellationToken).ConfigureAwait(false);
                }
                if (count >= needed)
                {
                    writer.SkipEntries = count - needed;
                    return (i, 0);
                }
                needed -= count;
                continue;
            }
            long offset = TailLocator.FindStart(f.Handle, f.Length, needed, out long found, out long skip);
            if (found >= needed)
            {
                writer.SkipEntries = skip;
                return (i, offset);
            }
            needed -= found;
        }
        return (files.Count - 1, 0);
    }

    /// <summary>Complete lines from <paramref name="position"/> to the end; returns where the first incomplete line starts.</summary>
    private static async Task<long> ReadAsync(LogFile file, long position, LogEntryWriter writer, byte[] buffer, ILogSink sink, CancellationToken cancellationToken)
    {
        int carry = 0;
        while (true)
        {
            if (carry == buffer.Length)
            {
                // One record longer than the buffer (conmon writes at most 8 KiB of content per record; foreign files may not).
                carry = 0;
                position = SkipLine(file, position, buffer);
                continue;
            }
            int n = await RandomAccess.ReadAsync(file.Handle, buffer.AsMemory(carry), position + carry, cancellationToken).ConfigureAwait(false);
            if (n == 0)
            {
                return position;
            }
            int consumed = Lines(buffer.AsSpan(0, carry + n), writer);
            position += consumed;
            carry = carry + n - consumed;
            buffer.AsSpan(consumed, carry).CopyTo(buffer);
            await sink.FlushAsync(cancellationToken).ConfigureAwait(false);
            if (writer.PastUntil)
            {
                return position;
            }
        }
    }

    private static async Task ReadRotatedAsync(LogFile file, long offset, LogEntryWriter writer, byte[] buffer, ILogSink sink, CancellationToken cancellationToken)
    {
        if (!file.Compressed)
        {
            _ = await ReadAsync(file, offset, writer, buffer, sink, cancellationToken).ConfigureAwait(false);
            return;
        }
        await using Stream content = file.OpenDecompressed();
        int carry = 0;
        while (!writer.PastUntil)
        {
            if (carry == buffer.Length)
            {
                carry = 0; // an over-long foreign line: dropped
            }
            int n = await content.ReadAsync(buffer.AsMemory(carry), cancellationToken).ConfigureAwait(false);
            if (n == 0)
            {
                return;
            }
            int consumed = Lines(buffer.AsSpan(0, carry + n), writer);
            carry = carry + n - consumed;
            buffer.AsSpan(consumed, carry).CopyTo(buffer);
            await sink.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task FollowAsync(string logPath, LogFile? current, long position, Task? exited, ChangeSignal changes,
        LogEntryWriter writer, byte[] buffer, ILogSink sink, CancellationToken cancellationToken)
    {
        LogFile? owned = null; // files opened here (after a rotation) are disposed here
        try
        {
            while (true)
            {
                // Decided before reading: once the container has exited, one more pass reads all it wrote.
                bool last = exited is null || exited.IsCompleted;
                changes.Reset();
                current ??= owned = LogFile.TryOpen(logPath, compressed: false);
                if (current is not null)
                {
                    position = await ReadAsync(current, position, writer, buffer, sink, cancellationToken).ConfigureAwait(false);
                    if (writer.PastUntil)
                    {
                        return;
                    }
                    (ulong, ulong, long)? onDisk = Libc.FileStat(logPath);
                    if (onDisk is { } d && (d.Item1, d.Item2) != current.Identity)
                    {
                        // Rotated: conmon closed the old file before the new one appeared at the
                        // path, so draining it now reads everything it will ever hold.
                        _ = await ReadAsync(current, position, writer, buffer, sink, cancellationToken).ConfigureAwait(false);
                        owned?.Dispose();
                        current = owned = LogFile.TryOpen(logPath, compressed: false);
                        position = 0;
                        continue;
                    }
                    if (RandomAccess.GetLength(current.Handle) < position)
                    {
                        position = 0; // truncated in place
                        continue;
                    }
                }
                if (last)
                {
                    return;
                }
                await sink.FlushAsync(cancellationToken).ConfigureAwait(false);
                await changes.WaitAsync(PollInterval, exited, cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            owned?.Dispose();
        }
    }

    /// <summary>Feeds every complete line of <paramref name="data"/> to the writer; returns the bytes consumed.</summary>
    private static int Lines(ReadOnlySpan<byte> data, LogEntryWriter writer)
    {
        int start = 0;
        while (!writer.PastUntil)
        {
            int nl = data[start..].IndexOf((byte)'\n');
            if (nl < 0)
            {
                break;
            }
            writer.AddLine(data.Slice(start, nl));
            start += nl + 1;
        }
        return start;
    }

    /// <summary>Skips past the next '\n' from <paramref name="position"/> (or to the end).</summary>
    private static long SkipLine(LogFile file, long position, byte[] buffer)
    {
        while (true)
        {
            int n = RandomAccess.Read(file.Handle, buffer, position);
            if (n == 0)
            {
                return position;
            }
            int nl = buffer.AsSpan(0, n).IndexOf((byte)'\n');
            if (nl >= 0)
            {
                return position + nl + 1;
            }
            position += n;
        }
    }

    /// <summary>Wakes a follower when the log's directory reports a change of the log file.</summary>
    private sealed class ChangeSignal : IDisposable
    {
        private readonly IDisposable? _subscription;
        private volatile TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

        private ChangeSignal(string path)
        {
            string name = Path.GetFileName(path);
            string? dir = Path.GetDirectoryName(path);
            _subscription = dir is null ? null : DirectoryWatcher.Shared.Watch(dir, changed =>
            {
                if (changed is null || changed == name)
                {
                    _changed.TrySetResult();
                }
            });
        }

        public static ChangeSignal Watch(string path) => new(path);

        /// <summary>Before each read, so a change during the read wakes the next wait.</summary>
        public void Reset()
        {
            if (_changed.Task.IsCompleted)
            {
                _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }
        }

        public async Task WaitAsync(TimeSpan poll, Task? exited, CancellationToken cancellationToken)
        {
            Task changed = _changed.Task;
            if (changed.IsCompleted)
            {
                return;
            }
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            Task delay = Task.Delay(poll, timeout.Token);
            await (exited is null ? Task.WhenAny(changed, delay) : Task.WhenAny(changed, delay, exited)).ConfigureAwait(false);
            await timeout.CancelAsync().ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
        }

        public void Dispose() => _subscription?.Dispose();
    }
}
