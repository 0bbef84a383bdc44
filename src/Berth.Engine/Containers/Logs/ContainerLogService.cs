using Berth.Engine.Errors;

namespace Berth.Engine.Containers.Logs;

/// <summary>A validated `docker logs` request, ready to stream.</summary>
public sealed class LogSession
{
    private readonly IContainerLogReader _reader;
    private readonly string _path;
    private readonly LogQuery _query;
    private readonly Task? _exited;

    internal LogSession(IContainerLogReader reader, string path, LogQuery query, Task? exited, bool tty, string details)
    {
        _reader = reader;
        _path = path;
        _query = query;
        _exited = exited;
        Tty = tty;
        Details = details;
    }

    /// <summary>TTY containers' logs are one raw stream; others are multiplexed.</summary>
    public bool Tty { get; }

    /// <summary>The "key=value,…" attributes `--details` puts before each line (empty when none).</summary>
    public string Details { get; }

    public Task CopyToAsync(ILogSink sink, CancellationToken cancellationToken) =>
        _reader.CopyAsync(_path, _query, _exited, sink, cancellationToken);
}

/// <summary>
/// docker logs (moby daemon/logs.go ContainerLogs): the checks that answer an HTTP error before
/// the stream starts, then a session that reads the container's log file set. Follow only
/// applies to a running container and ends when it exits.
/// </summary>
public sealed class ContainerLogService(IContainerService containers, IContainerLogReader reader)
{
    public LogSession Open(string reference, LogQuery query)
    {
        if (!query.Stdout && !query.Stderr)
        {
            throw DaemonException.InvalidParameter(Messages.LogsNeedStream);
        }
        ContainerLogTarget target = containers.GetLogTarget(reference);
        ContainerRecord record = target.Record;
        if (target.RemovalInProgress || record.State.Status is ContainerStatus.Removing or ContainerStatus.Dead)
        {
            throw DaemonException.Conflict(Messages.LogsDeadOrRemoving);
        }
        if (!LogDrivers.CanRead(record.HostConfig.LogConfig.Type) || string.IsNullOrEmpty(record.LogPath))
        {
            throw DaemonException.NotImplemented(Messages.LogsReadNotSupported);
        }
        bool follow = query.Follow && target.Exited is not null;
        return new LogSession(reader, record.LogPath, query with { Follow = follow }, follow ? target.Exited : null,
            record.Config.Tty, LogAttributes.Format(record));
    }
}
