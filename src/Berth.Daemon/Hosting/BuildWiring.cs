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
    public static BuildService Build(SqliteStateStore state, ImageService images, ContainerService containers, ILayerStore layers, TimeProvider time, IBuildPuller puller)
    {
        var cache = new SqliteBuildCacheStore(state, time);
        // A RUN step's layer is the container's upper directory, written by commit's diff writer.
        var backend = new EngineBuildBackend(images, containers, cache, (id, output, cancellationToken) =>
        {
            var files = containers.Files ?? throw DaemonException.NotImplemented("container file access is not configured");
            files.WriteLayer(layers.ReadWriteDiffPath(id), output, cancellationToken);
            return Task.CompletedTask;
        }, puller);
        return new BuildService(backend, cache, images.TempRoot);
    }
}
