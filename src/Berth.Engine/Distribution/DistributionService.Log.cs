using Microsoft.Extensions.Logging;

namespace Berth.Engine.Distribution;

internal static partial class DistributionLog
{
    [LoggerMessage(EventId = 600, Level = LogLevel.Information, Message = "Error logging in to endpoint {Endpoint}, trying next endpoint: {Error}")]
    public static partial void LogLoginFallback(this ILogger logger, string endpoint, string error);

    [LoggerMessage(EventId = 601, Level = LogLevel.Information, Message = "Attempting next endpoint after error from {Endpoint}: {Error}")]
    public static partial void LogEndpointFallback(this ILogger logger, string endpoint, string error);
}
