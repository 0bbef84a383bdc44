using Berth.Engine.Configuration;
using Berth.Engine.Containers;
using Berth.Engine.Events;
using Berth.Engine.Exec;
using Berth.Runtime.Containers;
using Berth.Runtime.Exec;
using Berth.Runtime.Monitor;
using Microsoft.Extensions.Logging;

namespace Berth.Daemon.Hosting;

/// <summary>Builds the exec service on the containers' conmon monitor and hooks its ids into container inspect.</summary>
internal static class ExecWiring
{
    public static ExecService Build(DaemonConfig config, ContainerService containers, RuntimeMonitors monitor, IEventBus events,
        TimeProvider time, ILoggerFactory loggers, ExecHelper? helper)
    {
        var runtime = new ConmonExecRuntime(monitor, config.ExecRoot, ConmonContainerRuntime.HostDefaults(), helper);
        var execs = new ExecService(containers, runtime, events, time, loggers.CreateLogger("exec"));
        containers.ExecIds = execs;
        return execs;
    }
}
