using System.Globalization;
using Berth.Api.Http;
using Berth.Api.Models;
using Berth.Engine.Errors;
using Berth.Engine.Filters;
using Berth.Engine.Volumes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Berth.Api.Routers;

/// <summary>/volumes (moby api/server/router/volume). Names match anything after /volumes/, as dockerd's {name:.*}.</summary>
public sealed class VolumesRouter : IRouter
{
    /// <summary>Cluster volumes and prune's anonymous-only default arrived in API 1.42.</summary>
    private static readonly ApiVersion ClusterVolumesVersion = new(1, 42);

    private readonly IVolumeService _volumes;

    public VolumesRouter(IVolumeService volumes)
    {
        ArgumentNullException.ThrowIfNull(volumes);
        _volumes = volumes;
    }

    public void Map(IEndpointRouteBuilder routes)
    {
        routes.MapGet("/volumes", ListAsync);
        routes.MapPost("/volumes/create", CreateAsync);
        routes.MapPost("/volumes/prune", PruneAsync);
        routes.MapGet("/volumes/{*name}", GetAsync);
        routes.MapDelete("/volumes/{*name}", RemoveAsync);
        routes.MapPut("/volumes/{*name}", Update);
    }

    private async Task ListAsync(HttpContext context)
    {
        var filters = FilterArgs.Parse(context.Request.Query["filters"]);
        var volumes = await _volumes.ListAsync(filters, context.RequestAborted);
        await context.WriteJsonAsync(new VolumeListResponse(volumes.Select(ToWire).ToList(), null), ApiJson.Volumes.VolumeListResponse);
    }

    private async Task GetAsync(HttpContext context)
    {
        var volume = await _volumes.GetAsync(Name(context), context.RequestAborted);
        await context.WriteJsonAsync(ToWire(volume), ApiJson.Volumes.VolumeWire);
    }

    private async Task CreateAsync(HttpContext context)
    {
        var body = await context.ReadJsonAsync(ApiJson.Volumes.VolumeCreateBody) ?? new VolumeCreateBody();
        if (body.ClusterVolumeSpec is { ValueKind: not System.Text.Json.JsonValueKind.Null } && context.ApiVersion() >= ClusterVolumesVersion)
        {
            // dockerd hands these to swarm, which this node is not part of.
            throw DaemonException.Unavailable(Messages.NotPartOfSwarm);
        }
        var volume = await _volumes.CreateAsync(
            new VolumeCreateRequest(body.Name, body.Driver, body.DriverOpts, body.Labels), context.RequestAborted);
        await context.WriteJsonAsync(ToWire(volume), ApiJson.Volumes.VolumeWire, StatusCodes.Status201Created);
    }

    private async Task RemoveAsync(HttpContext context)
    {
        await _volumes.RemoveAsync(Name(context), context.QueryBool("force"), context.RequestAborted);
        context.Response.StatusCode = StatusCodes.Status204NoContent;
    }

    private async Task PruneAsync(HttpContext context)
    {
        var filters = FilterArgs.Parse(context.Request.Query["filters"]);
        // Before 1.42 prune removed every unused volume; old clients keep that meaning.
        if (context.ApiVersion() < ClusterVolumesVersion)
        {
            filters.Add("all", "true");
        }
        var report = await _volumes.PruneAsync(filters, context.RequestAborted);
        await context.WriteJsonAsync(new VolumePruneResponse(report.VolumesDeleted, report.SpaceReclaimed), ApiJson.Volumes.VolumePruneResponse);
    }

    private static Task Update(HttpContext context)
    {
        if (context.ApiVersion() < ClusterVolumesVersion)
        {
            throw DaemonException.NotFound(Messages.PageNotFound);
        }
        throw DaemonException.Unavailable(Messages.VolumeUpdateNoSwarm);
    }

    private static string Name(HttpContext context) => context.Request.RouteValues["name"] as string ?? "";

    internal static VolumeWire ToWire(VolumeInfo v) => new()
    {
        CreatedAt = v.CreatedAt.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
        Driver = v.Driver,
        Labels = v.Labels,
        Mountpoint = v.Mountpoint,
        Name = v.Name,
        Options = v.Options,
        Scope = v.Scope,
    };
}
