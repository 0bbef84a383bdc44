using Berth.Api.Http;
using Berth.Api.Models;
using Berth.Engine.Build;
using Berth.Engine.Errors;
using Berth.Engine.Containers;
using Berth.Engine.Filters;
using Berth.Engine.Images;
using Berth.Engine.Volumes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Berth.Api.Routers;

/// <summary>
/// GET /system/df. Each object type is its own part (moby's getDiskUsage): images from the image
/// service, containers (all, with sizes) from the container service, volumes with their usage
/// from the volume service; build cache is an empty list until a builder exists.
/// </summary>
public sealed class DiskUsageRouter : IRouter
{
    private readonly IImageService _images;
    private readonly IContainerService? _containers;
    private readonly IVolumeService? _volumes;
    private readonly TimeProvider _time;
    private readonly IBuildService? _build;

    public DiskUsageRouter(IImageService images, IContainerService? containers = null, IVolumeService? volumes = null, TimeProvider? time = null, IBuildService? build = null)
    {
        _build = build;
        _images = images;
        _containers = containers;
        _volumes = volumes;
        _time = time ?? TimeProvider.System;
    }

    public void Map(IEndpointRouteBuilder routes) => routes.MapGet("/system/df", GetAsync);

    private async Task GetAsync(HttpContext context)
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
        IReadOnlyList<ContainerSummaryWire>? containerList = null;
        if (containers)
        {
            var now = _time.GetUtcNow();
            // moby: every container, with sizes.
            containerList = _containers is null ? [] :
                [.. _containers.List(new ContainerListOptions(true, -1, true, new FilterArgs())).Select(s => ContainerWireMapping.ToWire(s, now))];
        }
        IReadOnlyList<VolumeWire>? volumeList = null;
        if (volumes)
        {
            volumeList = _volumes is null ? [] :
                [.. (await _volumes.GetUsageAsync(context.RequestAborted)).Select(u => VolumesRouter.ToWire(u.Volume) with { UsageData = new VolumeUsageWire(u.Size, u.RefCount) })];
        }
        IReadOnlyList<BuildCacheWire>? cacheList = null;
        if (buildCache)
        {
            cacheList = _build is null ? [] : [.. _build.CacheEntries().Select(ToWire)];
        }
        var body = new DiskUsageWire(layersSize, imageList, containerList, volumeList, cacheList);
        await context.WriteJsonAsync(body, ApiJson.Images.DiskUsageWire);
    }

    private static BuildCacheWire ToWire(BuildCacheEntry entry) => new(
        entry.Key.Length > 25 ? entry.Key[..25] : entry.Key,
        "",
        "regular",
        "classic builder step, image " + entry.ImageId,
        InUse: false,
        Shared: true,
        Size: 0,
        entry.Created.UtcDateTime.ToString("O", System.Globalization.CultureInfo.InvariantCulture),
        entry.LastUsed.UtcDateTime.ToString("O", System.Globalization.CultureInfo.InvariantCulture),
        UsageCount: 0);
}
