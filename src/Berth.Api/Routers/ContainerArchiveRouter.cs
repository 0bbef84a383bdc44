using System.Text;
using System.Text.Json;
using Berth.Api.Http;
using Berth.Api.Models;
using Berth.Engine.Containers;
using Berth.Engine.Errors;
using Berth.Engine.Images;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Berth.Api.Routers;

/// <summary>docker cp (HEAD/GET/PUT /containers/{id}/archive), docker diff (/changes) and docker commit (POST /commit).</summary>
public sealed class ContainerArchiveRouter : IRouter
{
    private const string StatHeader = "X-Docker-Container-Path-Stat";
    private readonly IContainerArchive _archive;

    public ContainerArchiveRouter(IContainerArchive archive)
    {
        _archive = archive;
    }

    public void Map(IEndpointRouteBuilder routes)
    {
        routes.MapMethods("/containers/{id}/archive", ["HEAD"], HeadAsync);
        routes.MapGet("/containers/{id}/archive", GetAsync);
        routes.MapPut("/containers/{id}/archive", PutAsync);
        routes.MapGet("/containers/{id}/changes", ChangesAsync);
        routes.MapPost("/commit", CommitAsync);
    }

    private async Task HeadAsync(HttpContext context)
    {
        PathStat stat = await _archive.StatPathAsync(context.RouteValue("id"), context.Request.Query["path"].ToString(), context.RequestAborted);
        SetStat(context, stat);
        context.Response.StatusCode = StatusCodes.Status200OK;
    }

    private Task GetAsync(HttpContext context) =>
        _archive.GetArchiveAsync(context.RouteValue("id"), context.Request.Query["path"].ToString(), context.Response.Body, stat =>
        {
            SetStat(context, stat);
            context.Response.ContentType = "application/x-tar";
            return context.Response.StartAsync(context.RequestAborted);
        }, context.RequestAborted);

    private async Task PutAsync(HttpContext context)
    {
        // docker cp streams whole directory trees: no body limit, as for docker load.
        if (context.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = null;
        }
        // dockerd: noOverwriteDirNonDir is off unless given and true.
        bool noOverwrite = context.Request.Query.ContainsKey("noOverwriteDirNonDir") && context.QueryBool("noOverwriteDirNonDir");
        // The body reader's stream can be read synchronously (by the tar reader on a worker thread)
        // without another pipe and copy between Kestrel and the extractor.
        await _archive.ExtractAsync(context.RouteValue("id"), context.Request.Query["path"].ToString(), context.Request.BodyReader.AsStream(),
            noOverwrite, context.QueryBool("copyUIDGID"), context.RequestAborted);
        context.Response.StatusCode = StatusCodes.Status200OK;
    }

    private Task ChangesAsync(HttpContext context)
    {
        IReadOnlyList<FileChange> changes = _archive.Changes(context.RouteValue("id"));
        IReadOnlyList<ChangeWire>? body = changes.Count == 0 ? null : [.. changes.Select(c => new ChangeWire(c.Path, c.Kind))];
        return context.WriteJsonAsync(body, ApiJson.Archive.IReadOnlyListChangeWire);
    }

    private async Task CommitAsync(HttpContext context)
    {
        var query = context.Request.Query;
        string container = query["container"].ToString();
        if (container.Length == 0)
        {
            throw DaemonException.NotFound(Messages.NoSuchObject("container", ""));
        }
        // The body is a container config that dockerd merges in; the CLI sends none ("null" or empty).
        var request = new CommitRequest(container, query["repo"], query["tag"], query["comment"], query["author"],
            !query.ContainsKey("pause") || context.QueryBool("pause"), [.. query["changes"].Where(c => !string.IsNullOrEmpty(c)).Select(c => c!)]);
        Digest id = await _archive.CommitAsync(request, context.RequestAborted);
        await context.WriteJsonAsync(new CommitResponseWire(id.ToString()), ApiJson.Archive.CommitResponseWire, StatusCodes.Status201Created);
    }

    /// <summary>moby setContainerPathStatHeader: base64 of the JSON PathStat.</summary>
    private static void SetStat(HttpContext context, PathStat stat)
    {
        var wire = new PathStatWire(stat.Name, stat.Size, stat.Mode, GoTime.FormatRfc3339Nano(stat.Mtime.ToUniversalTime()), stat.LinkTarget);
        byte[] json = JsonSerializer.SerializeToUtf8Bytes(wire, ApiJson.Archive.PathStatWire);
        context.Response.Headers[StatHeader] = Convert.ToBase64String(json);
    }
}
