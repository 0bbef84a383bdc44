using System.Buffers;
using System.Runtime.CompilerServices;
using Berth.Linux;

namespace Berth.Runtime.Monitor;

/// <summary>One log message after joining P chunks: a full line (<see cref="Complete"/>) or trailing output without a newline.</summary>
public readonly record struct LogEntry(long TimestampNanos, DockerStreamId Stream, ReadOnlyMemory<byte> Content, bool Complete);

/// <summary>docker logs options. Since/Until are Unix nanoseconds (inclusive); Tail null = all.</summary>
public sealed record LogReadOptions
{
    public bool Stdout { get; init; } = true;

    public bool Stderr { get; init; } = true;

    public long? Since { get; init; }

    public long? Until { get; init; }

    public int? Tail { get; init; }

    public bool Follow { get; init; }

    /// <summary>Interval at which follow mode re-checks the file if no change event arrives.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(1);
}

/// <summary>
/// Reads conmon's k8s-file log as docker logs entries. Follow mode waits for changes
/// (FileSystemWatcher, with a poll as backstop) and survives rotation: when the path names a
/// new file (rename + ctl "2 0 0") the old one is drained, then the new one read from the start;
/// a file truncated by --log-size-max is re-read from its start.
/// </summary>
public static class ContainerLogReader
{
    /// <param name="stopFollowing">Completes when the container exited: the rest of the file is read, then the stream ends.</param>
    public static async IAsyncEnumerable<LogEntry> ReadAsync(string path, LogReadOptions options, Task? stopFollowing = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var assembler = new LogAssembler(options);
        using var changed = new SemaphoreSlim(0);
        using FileSystemWatcher? watcher = options.Follow ? Watch(path, changed) : null;
        FileStream? file = Open(path);
        byte[] buffer = ArrayPool<byte>.Shared.Rent(64 * 1024);
        int carry = 0;
        try
        {
            bool tailDone = false;
            while (true)
            {
                if (file is not null)
                {
                    while (true)
                    {
                        if (carry == buffer.Length)
                        {
                            byte[] bigger = ArrayPool<byte>.Shared.Rent(buffer.Length * 2); // a record longer than the buffer
                            buffer.AsSpan(0, carry).CopyTo(bigger);
                            ArrayPool<byte>.Shared.Return(buffer);
                            buffer = bigger;
                        }
                        int n = await file.ReadAsync(buffer.AsMemory(carry), cancellationToken).ConfigureAwait(false);
                        if (n == 0)
                        {
                            break;
                        }
                        int end = carry + n;
                        int start = 0;
                        for (int nl; (nl = buffer.AsSpan(start, end - start).IndexOf((byte)'\n')) >= 0; start += nl + 1)
                        {
                            assembler.Add(buffer.AsSpan(start, nl));
                        }
                        buffer.AsSpan(start, end - start).CopyTo(buffer);
                        carry = end - start; // an incomplete last line waits for the rest
                        foreach (LogEntry e in assembler.TakeReady())
                        {
                            yield return e;
                        }
                        if (assembler.PastUntil)
                        {
                            yield break;
                        }
                    }
                }
                if (!tailDone)
                {
                    tailDone = true;
                    foreach (LogEntry e in assembler.FlushTail())
                    {
                        yield return e;
                    }
                }
                if (!options.Follow)
                {
                    yield break;
                }
                bool stopping = stopFollowing?.IsCompleted == true;
                (ulong, ulong)? onDisk = Libc.FileIdentity(path);
                if (file is not null && onDisk is not null && onDisk != Libc.FileIdentity(file.SafeFileHandle))
                {
                    await file.DisposeAsync().ConfigureAwait(false); // rotated and drained above: switch to the new file
                    file = Open(path);
                    carry = 0;
                    continue;
                }
                if (file is not null && file.Length < file.Position)
                {
                    file.Position = 0; // truncated (--log-size-max)
                    carry = 0;
                    continue;
                }
                file ??= Open(path);
                if (stopping)
                {
                    assembler.FlushPartials(); // a last printf without newline
                    foreach (LogEntry e in assembler.TakeReady())
                    {
                        yield return e;
                    }
                    yield break; // everything written before the exit has been read
                }
                Task wake = changed.WaitAsync(options.PollInterval, cancellationToken);
                await (stopFollowing is null ? wake : Task.WhenAny(wake, stopFollowing)).ConfigureAwait(false);
                cancellationToken.ThrowIfCancellationRequested();
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
            if (file is not null)
            {
                await file.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    /// <summary>Writes an entry the way docker logs/attach sends it: 8-byte header + payload, or raw for a TTY.</summary>
    public static void Write(IBufferWriter<byte> output, in LogEntry entry, bool tty, bool timestamps)
    {
        int payload = entry.Content.Length + (entry.Complete ? 1 : 0) + (timestamps ? 31 : 0);
        Span<byte> span = output.GetSpan(payload + DockerFraming.HeaderSize);
        int at = 0;
        if (!tty)
        {
            DockerFraming.WriteHeader(span, entry.Stream, payload);
            at = DockerFraming.HeaderSize;
        }
        if (timestamps)
        {
            at += K8sLogRecord.FormatTimestamp(entry.TimestampNanos, span[at..]);
            span[at++] = (byte)' ';
        }
        entry.Content.Span.CopyTo(span[at..]);
        at += entry.Content.Length;
        if (entry.Complete)
        {
            span[at++] = (byte)'\n';
        }
        output.Advance(at);
    }

    private static FileStream? Open(string path)
    {
        try
        {
            // No sharing lock (FileShare.ReadWrite | Delete): conmon appends, the daemon renames for rotation.
            return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1, FileOptions.Asynchronous);
        }
        catch (FileNotFoundException)
        {
            return null;
        }
        catch (DirectoryNotFoundException)
        {
            return null;
        }
    }

    private static FileSystemWatcher? Watch(string path, SemaphoreSlim changed)
    {
        string? dir = Path.GetDirectoryName(path);
        if (dir is null || !Directory.Exists(dir))
        {
            return null;
        }
        var w = new FileSystemWatcher(dir, Path.GetFileName(path))
        {
            NotifyFilter = NotifyFilters.FileName | NotifyFilters.LastWrite | NotifyFilters.Size,
        };
        void Wake() { if (changed.CurrentCount == 0) { changed.Release(); } }
        w.Changed += (_, _) => Wake();
        w.Created += (_, _) => Wake();
        w.Renamed += (_, _) => Wake();
        w.EnableRaisingEvents = true;
        return w;
    }
}
