namespace Berth.Engine.Containers.Logs;

/// <summary>What to read from a container's log (docker logs / attach logs=1).</summary>
public sealed record LogQuery
{
    public bool Stdout { get; init; } = true;

    public bool Stderr { get; init; } = true;

    /// <summary>Unix nanoseconds; entries before it are skipped.</summary>
    public long? Since { get; init; }

    /// <summary>Unix nanoseconds; reading stops at the first entry after it.</summary>
    public long? Until { get; init; }

    /// <summary>The last N entries; negative: all (dockerd: "all" or anything Atoi refuses).</summary>
    public int Tail { get; init; } = -1;

    public bool Follow { get; init; }
}

/// <summary>
/// Receives log entries in order, synchronously and without copies: <paramref name="content"/>
/// is only valid during the call. <paramref name="newline"/> is false for output that never got
/// its newline (a last printf).
/// </summary>
public interface ILogSink
{
    void Write(long timestampNanos, OutputKind stream, ReadOnlySpan<byte> content, bool newline);

    /// <summary>Called after each batch and whenever the reader is about to wait (follow).</summary>
    ValueTask FlushAsync(CancellationToken cancellationToken);
}

/// <summary>The log file set of a container: implemented by the runtime layer, which owns the format.</summary>
public interface IContainerLogReader
{
    /// <param name="logPath">The current file; rotated ones are &lt;path&gt;.1, .2 … (or .N.gz), oldest last.</param>
    /// <param name="exited">For follow: completes when the container exited; the rest of the file is read, then the copy ends.</param>
    Task CopyAsync(string logPath, LogQuery query, Task? exited, ILogSink sink, CancellationToken cancellationToken);
}

/// <summary>What the logs route needs about a container, read consistently.</summary>
/// <param name="Exited">Completes at the end of the current run; null when the container is not running.</param>
public sealed record ContainerLogTarget(ContainerRecord Record, bool RemovalInProgress, Task? Exited);
