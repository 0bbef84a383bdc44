using Berth.Engine.Configuration;
using Berth.Engine.Containers;
using Microsoft.Extensions.Logging;

namespace Berth.Daemon.Hosting;

/// <summary>What a clean daemon stop does to containers (moby daemon.Shutdown).</summary>
internal static partial class ContainerLifecycle
{
    /// <summary>
    /// With --live-restore containers keep running and the next start re-attaches them.
    /// Without it every running container is stopped as dockerd does — its stop signal, its own
    /// timeout, then SIGKILL, all in parallel — and recorded as exited; their exits end open
    /// attach and wait requests, so the listeners then drain quickly.
    /// </summary>
    public static async Task ShutdownAsync(ContainerService containers, DaemonConfig config, ILogger log)
    {
        if (config.LiveRestore)
        {
            await containers.DetachAsync();
            return;
        }
        TimeSpan? deadline = containers.ShutdownDeadline();
        LogStoppingContainers(log, deadline is { } d ? $"{d.TotalSeconds:0} s" : "no");
        using var cts = deadline is { } limit ? new CancellationTokenSource(limit) : new CancellationTokenSource();
        await containers.ShutdownAsync(cts.Token);
    }

    [LoggerMessage(EventId = 120, Level = LogLevel.Information, Message = "Stopping running containers ({Deadline} deadline)")]
    private static partial void LogStoppingContainers(ILogger logger, string deadline);
}
