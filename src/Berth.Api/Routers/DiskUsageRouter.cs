using Berth.Api.Http;
using Berth.Api.Models;
using Berth.Engine.Errors;
using Berth.Engine.Images;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Berth.Api.Routers;

/// <summary>
/// GET /system/df. Each object type is its own part (moby's getDiskUsage): images come from the
/// image service; containers, volumes and build cache are empty lists until those subsystems
/// exist, at which point they add their part here.
/// </summary>
public sealed class DiskUsageRouter : IRouter
{
    private readonly IImageService _images;

    public DiskUsageRouter(IImageService images)
    {
        _images = images;
    }

    public void Map(IEndpointRouteBuilder routes) => routes.MapGet("/system/df", GetAsync);

    private Task GetAsync(HttpContext context)
    {
        var version = context.ApiVersion();
        var types = context.Request.Query["type"];
        bool all = version < new ApiVersion(1, 42) || types.Count == 0;
        bool containers = all, images = all, volumes = all, buildCache = all;
        if (!all)
        {
            foreach (var type in types)
            {
                switch (type)
                {
                    case "container": containers = true; break;
                    case "image": images = true; break;
                    case "volume": volumes = true; break;
                    case "build-cache": buildCache = true; break;
                    default: throw DaemonException.InvalidParameter(Messages.UnknownDiskUsageType(type ?? ""));
                }
            }
        }
        long layersSize = 0;
        IReadOnlyList<ImageSummaryWire>? imageList = null;
        if (images)
        {
            var usage = _images.DiskUsage();
            layersSize = usage.LayersSize;
            imageList = [.. usage.Images.Select(s => ImageWireMapping.ToWire(s, version))];
        }
        var body = new DiskUsageWire(layersSize, imageList, containers ? [] : null, volumes ? [] : null, buildCache ? [] : null);
        return context.WriteJsonAsync(body, ApiJson.Images.DiskUsageWire);
    }
}
