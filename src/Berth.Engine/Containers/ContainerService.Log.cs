using Microsoft.Extensions.Logging;

namespace Berth.Engine.Containers;

public sealed partial class ContainerService
{
    [LoggerMessage(EventId = 400, Level = LogLevel.Warning, Message = "container {Id}: cleanup of {What} failed: {Reason}")]
    private partial void LogCleanupFailed(string id, string what, string reason);

    [LoggerMessage(EventId = 401, Level = LogLevel.Information, Message = "container {Id}: start failed: {Reason}")]
    private partial void LogStartFailed(string id, string reason);

    [LoggerMessage(EventId = 402, Level = LogLevel.Error, Message = "container {Id}: watching for its exit failed: {Reason}")]
    private partial void LogExitWatchFailed(string id, string reason);

    [LoggerMessage(EventId = 403, Level = LogLevel.Information, Message = "container {Id}: restored, {State}")]
    private partial void LogRecovered(string id, string state);

    [LoggerMessage(EventId = 404, Level = LogLevel.Error, Message = "container {Id}: restore failed: {Reason}")]
    private partial void LogRecoverFailed(string id, string reason);

    [LoggerMessage(EventId = 405, Level = LogLevel.Warning, Message = "container {Id}: stop at shutdown failed: {Reason}")]
    private partial void LogShutdownStopFailed(string id, string reason);
}
