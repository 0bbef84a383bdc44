using Berth.Api.Routers;
using Berth.Engine.Configuration;
using Berth.Engine.Distribution;
using Berth.Engine.Images;
using Microsoft.Extensions.Logging;

namespace Berth.Daemon.Hosting;

/// <summary>Builds the registry client side (pull, push, login) from the configuration.</summary>
internal static class DistributionWiring
{
    public static DistributionRouter Build(DaemonConfig config, ImageService images, IContentStore content, ILayerStore layers, ILoggerFactory loggers)
    {
        var hosts = RegistryHosts.Create(config.Registry);
        var blobs = new BlobSources(Path.Combine(config.DataRoot, "distribution", "blobs.json"));
        var service = new DistributionService(hosts, images, content, layers, blobs, loggers.CreateLogger("distribution"));
        return new DistributionRouter(service);
    }
}
