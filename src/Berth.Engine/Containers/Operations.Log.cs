using Microsoft.Extensions.Logging;

namespace Berth.Engine.Containers;

public sealed partial class ContainerService
{
    [LoggerMessage(EventId = 420, Level = LogLevel.Warning, Message = "container {Id}: {What} failed: {Reason}")]
    private partial void LogOpsFailed(string id, string what, string reason);

    [LoggerMessage(EventId = 421, Level = LogLevel.Warning, Message = "container prune: {Id} not removed: {Reason}")]
    private partial void LogPruneSkipped(string id, string reason);
}
