using Berth.Engine.Configuration;
using Berth.Engine.Containers;
using Berth.Engine.Events;
using Berth.Engine.Images;
using Berth.Runtime.Cgroups;
using Berth.Runtime.Containers;
using Berth.Runtime.Monitor;
using Berth.Runtime.Oci;
using Berth.Storage;
using Berth.Storage.Containers;
using Microsoft.Extensions.Logging;

namespace Berth.Daemon.Hosting;

/// <summary>
/// The image service needs to ask the container service which images are in use, and the
/// container service needs the image service: this forwarder breaks the construction cycle.
/// </summary>
internal sealed class DeferredImageUsage : IImageUsage
{
    public IImageUsage Target { get; set; } = NoImageUsage.Instance;

    public IReadOnlyList<ImageUser> UsersOf(Digest imageId) => Target.UsersOf(imageId);

    public IReadOnlySet<Digest> PinnedLayers() => Target.PinnedLayers();
}

/// <summary>Builds the container stack: the OCI runtimes + conmon + the runtime adapter + the service.</summary>
internal static class ContainerWiring
{
    public static ContainerService Build(DaemonConfig config, SqliteStateStore state, IImageService images, ILayerStore layers,
        Engine.Volumes.IVolumeService volumes, IEventBus events, TimeProvider time, ILoggerFactory loggers, Runtime.Exec.ExecHelper? execHelper,
        out RuntimeMonitors monitor)
    {
        var log = loggers.CreateLogger("containers");
        monitor = RuntimeWiring.Build(config, log);
        var store = new SqliteContainerStore(state);
        var names = new SqliteNameRegistryFactory(state).Open("container");
        var adapter = new ConmonContainerRuntime(monitor, layers, config.ExecRoot, ConmonContainerRuntime.HostDefaults());
        var rootAccess = new ContainerRootAccess(layers, config.ExecRoot);
        var files = new Storage.ContainerFs.ContainerFileOps();
        foreach (string warning in store.LoadWarnings)
        {
            log.LogWarning("{Warning}", warning);
        }
        return new ContainerService(store, names, images, layers, adapter, events, time, new ContainerServiceOptions
        {
            DataRoot = config.DataRoot,
            CgroupParent = config.CgroupParent,
            DefaultDns = config.Dns,
            DefaultLogConfig = new LogSettings(config.LogDriver, config.LogOpts),
            Runtimes = RuntimeChoice.From(config),
        }, log)
        {
            Mounts = new Engine.Mounts.ContainerMounts(volumes, rootAccess, files, loggers.CreateLogger("mounts")),
            Filesystem = rootAccess,
            Files = files,
            Committer = images as IImageCommitter,
            Operations = new ContainerOperations(CgroupManagers.ForHost(), monitor, layers, config.ExecRoot, Linux.HostFacts.MemTotalBytes(),
                execHelper),
        };
    }

    /// <summary>The first match on PATH (conmon needs an absolute runtime path), else the packaged location.</summary>
    internal static string FindExecutable(string name, string fallback) => RuntimeWiring.LookPath(name) ?? fallback;
}
