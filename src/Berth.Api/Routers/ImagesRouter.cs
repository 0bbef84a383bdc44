using Berth.Api.Http;
using Berth.Api.Models;
using Berth.Engine.Errors;
using Berth.Engine.Filters;
using Berth.Engine.Images;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Berth.Api.Routers;

/// <summary>
/// Local image endpoints. Image names contain slashes ("localhost:5000/a/b:tag"), so the
/// per-image routes take the rest of the path and strip the action suffix themselves, as
/// dockerd's mux pattern <c>/images/{name:.*}/json</c> does.
/// </summary>
public sealed class ImagesRouter : IRouter
{
    private readonly IImageService _images;
    private readonly DistributionRouter? _distribution;

    public ImagesRouter(IImageService images, DistributionRouter? distribution = null)
    {
        _images = images;
        _distribution = distribution;
    }

    public void Map(IEndpointRouteBuilder routes)
    {
        routes.MapGet("/images/json", ListAsync);
        routes.MapPost("/images/create", CreateAsync);
        routes.MapPost("/images/prune", PruneAsync);
        routes.MapGet("/images/{**name}", GetAsync);
        routes.MapPost("/images/{**name}", PostAsync);
        routes.MapDelete("/images/{**name}", DeleteAsync);
    }

    private Task ListAsync(HttpContext context)
    {
        var version = context.ApiVersion();
        var filters = FilterArgs.Parse(context.Request.Query["filters"]);
        if (version < new ApiVersion(1, 41) && context.Request.Query["filter"].ToString() is { Length: > 0 } legacy)
        {
            filters.Add("reference", legacy);
        }
        var list = _images.List(new ImageListOptions(context.QueryBool("all"), filters,
            SharedSize: version >= new ApiVersion(1, 42) && context.QueryBool("shared-size")));
        IReadOnlyList<ImageSummaryWire> body = [.. list.Select(s => ImageWireMapping.ToWire(s, version))];
        return context.WriteJsonAsync(body, ApiJson.Images.IReadOnlyListImageSummaryWire);
    }

    private Task GetAsync(HttpContext context)
    {
        string path = context.RouteValue("name");
        if (TrimSuffix(path, "/json") is { } inspect)
        {
            var details = _images.Inspect(inspect);
            return context.WriteJsonAsync(ImageWireMapping.ToWire(details, context.ApiVersion()), ApiJson.Images.ImageInspectWire);
        }
        if (TrimSuffix(path, "/history") is { } history)
        {
            IReadOnlyList<HistoryItemWire> body = [.. _images.History(history).Select(ImageWireMapping.ToWire)];
            return context.WriteJsonAsync(body, ApiJson.Images.IReadOnlyListHistoryItemWire);
        }
        if (TrimSuffix(path, "/get") is { } save && _images is Engine.Images.Archive.IImageArchive archive)
        {
            return ImageArchiveRouter.SaveAsync(context, archive, [save]);
        }
        throw DaemonException.NotFound(Messages.PageNotFound);
    }

    private Task PostAsync(HttpContext context)
    {
        string path = context.RouteValue("name");
        if (TrimSuffix(path, "/tag") is { } name)
        {
            var query = context.Request.Query;
            bool tagged = _images.Tag(name, query["repo"], query["tag"]);
            // dockerd answers an empty repo with 200 and does nothing (InvalidParameter(nil) is nil).
            context.Response.StatusCode = tagged ? StatusCodes.Status201Created : StatusCodes.Status200OK;
            return Task.CompletedTask;
        }
        if (TrimSuffix(path, "/push") is { } push && _distribution is not null)
        {
            return _distribution.PushAsync(context, push);
        }
        throw DaemonException.NotFound(Messages.PageNotFound);
    }

    private Task DeleteAsync(HttpContext context)
    {
        var items = _images.Delete(context.RouteValue("name"), context.QueryBool("force"), context.QueryBool("noprune"));
        IReadOnlyList<ImageDeleteItemWire> body = [.. items.Select(ImageWireMapping.ToWire)];
        return context.WriteJsonAsync(body, ApiJson.Images.IReadOnlyListImageDeleteItemWire);
    }

    private Task PruneAsync(HttpContext context)
    {
        var report = _images.Prune(FilterArgs.Parse(context.Request.Query["filters"]));
        var body = new ImagePruneWire(report.ImagesDeleted?.Select(ImageWireMapping.ToWire).ToList(), report.SpaceReclaimed);
        return context.WriteJsonAsync(body, ApiJson.Images.ImagePruneWire);
    }

    /// <summary>
    /// POST /images/create: fromImage is a pull (DistributionRouter); otherwise an import of the
    /// request body. The single status line is written only
    /// when the image exists, so every failure is still a plain HTTP error.
    /// </summary>
    private async Task CreateAsync(HttpContext context)
    {
        var query = context.Request.Query;
        if (!string.IsNullOrEmpty(query["fromImage"]))
        {
            await (_distribution?.PullAsync(context) ?? throw DaemonException.NotImplemented(Messages.PullNotImplemented));
            return;
        }
        var request = new ImportRequest(
            query["fromSrc"].ToString(),
            query["repo"],
            query["tag"],
            query["message"],
            [.. query["changes"].Where(c => c is not null).Select(c => c!)],
            query["platform"]);
        var id = await _images.ImportAsync(request, context.Request.Body, context.RequestAborted);
        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = "application/json";
        await JsonLines.WriteAsync(context.Response, new StatusMessageWire(id.ToString()), ApiJson.Images.StatusMessageWire, context.RequestAborted);
    }

    private static string? TrimSuffix(string path, string suffix) =>
        path.Length > suffix.Length && path.EndsWith(suffix, StringComparison.Ordinal) ? path[..^suffix.Length] : null;
}
