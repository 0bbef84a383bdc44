using Berth.Engine.Build;
using Berth.Engine.Containers;
using Berth.Engine.Errors;
using Berth.Engine.Images;
using Berth.Storage;
using Berth.Storage.Build;

namespace Berth.Daemon.Hosting;

/// <summary>The classic builder on the engine's services; build scratch lives in the data root's tmp.</summary>
internal static class BuildWiring
{
    public static BuildService Build(SqliteStateStore state, ImageService images, ContainerService containers, ILayerStore layers, TimeProvider time)
    {
        var cache = new SqliteBuildCacheStore(state, time);
        var backend = new EngineBuildBackend(images, containers, cache,
            (_, _, _) => throw DaemonException.NotImplemented("RUN commits are not wired yet"));
        _ = layers;
        return new BuildService(backend, cache, images.TempRoot);
    }
}
