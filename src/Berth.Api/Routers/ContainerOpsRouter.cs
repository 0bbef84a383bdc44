using System.Buffers;
using System.Text.Json;
using Berth.Api.Http;
using Berth.Api.Models;
using Berth.Api.Streams;
using Berth.Engine.Containers;
using Berth.Engine.Errors;
using Berth.Engine.Filters;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Berth.Api.Routers;

/// <summary>
/// Container operations beyond the lifecycle: update, pause/unpause, top, stats, export and
/// prune. Decode, call <see cref="IContainerOpsService"/>, encode.
/// </summary>
public sealed class ContainerOpsRouter : IRouter
{
    private static readonly JsonWriterOptions StatsWriterOptions = new() { Encoder = ApiJson.Encoder, SkipValidation = true };
    private readonly IContainerOpsService _containers;

    public ContainerOpsRouter(IContainerOpsService containers)
    {
        _containers = containers;
    }

    public void Map(IEndpointRouteBuilder routes)
    {
        routes.MapPost("/containers/prune", PruneAsync);
        routes.MapPost("/containers/{id}/update", UpdateAsync);
        routes.MapPost("/containers/{id}/pause", PauseAsync);
        routes.MapPost("/containers/{id}/unpause", UnpauseAsync);
        routes.MapGet("/containers/{id}/top", TopAsync);
        routes.MapGet("/containers/{id}/stats", StatsAsync);
        routes.MapGet("/containers/{id}/export", ExportAsync);
    }

    private async Task UpdateAsync(HttpContext context)
    {
        HostConfigWire body = await context.ReadJsonAsync(ApiJson.ContainerOps.HostConfigWire) ?? new HostConfigWire();
        UpdateResult result = await _containers.UpdateAsync(context.RouteValue("id"), ContainerOpsWireMapping.ToUpdate(body), context.RequestAborted);
        await context.WriteJsonAsync(new ContainerUpdateResponseWire(result.Warnings.Count == 0 ? null : result.Warnings),
            ApiJson.ContainerOps.ContainerUpdateResponseWire);
    }

    private async Task PauseAsync(HttpContext context)
    {
        await _containers.PauseAsync(context.RouteValue("id"), context.RequestAborted);
        context.Response.StatusCode = StatusCodes.Status204NoContent;
    }

    private async Task UnpauseAsync(HttpContext context)
    {
        await _containers.UnpauseAsync(context.RouteValue("id"), context.RequestAborted);
        context.Response.StatusCode = StatusCodes.Status204NoContent;
    }

    private async Task TopAsync(HttpContext context)
    {
        TopResult top = await _containers.TopAsync(context.RouteValue("id"), context.Request.Query["ps_args"], context.RequestAborted);
        await context.WriteJsonAsync(new ContainerTopResponseWire(top.Titles, top.Processes), ApiJson.ContainerOps.ContainerTopResponseWire);
    }

    /// <summary>
    /// stream (default true) sends an object per second and flushes each; the container is
    /// resolved before the first byte so a bad id stays a plain 404.
    /// </summary>
    private async Task StatsAsync(HttpContext context)
    {
        bool stream = !context.Request.Query.ContainsKey("stream") || context.QueryBool("stream");
        var request = new StatsRequest(stream, context.QueryBool("one-shot"));
        IAsyncEnumerable<StatsFrame> frames = _containers.StatsAsync(context.RouteValue("id"), request, context.RequestAborted);
        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = "application/json";
        var buffer = new ArrayBufferWriter<byte>(4096);
        using var writer = new Utf8JsonWriter(buffer, StatsWriterOptions);
        try
        {
            if (stream)
            {
                await context.Response.StartAsync(context.RequestAborted);
                await context.Response.Body.FlushAsync(context.RequestAborted);
            }
            await foreach (StatsFrame frame in frames.WithCancellation(context.RequestAborted))
            {
                StatsJsonWriter.WriteLine(writer, buffer, frame);
                await context.Response.Body.WriteAsync(buffer.WrittenMemory, context.RequestAborted);
                await context.Response.Body.FlushAsync(context.RequestAborted);
            }
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // the client stopped reading: that is how a stats stream ends
        }
    }

    /// <summary>The checks run before the tar starts; a failure mid-stream can only cut the connection.</summary>
    private async Task ExportAsync(HttpContext context)
    {
        string id = context.RouteValue("id");
        _containers.PrepareExport(id);
        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = "application/x-tar";
        try
        {
            await _containers.ExportAsync(id, context.Response.Body, context.RequestAborted);
        }
        catch (Exception e) when (context.Response.HasStarted && e is DaemonException or IOException)
        {
            context.Abort();
        }
    }

    private async Task PruneAsync(HttpContext context)
    {
        ContainerPruneReport report = await _containers.PruneAsync(FilterArgs.Parse(context.Request.Query["filters"]), context.RequestAborted);
        await context.WriteJsonAsync(new ContainerPruneResponseWire(report.ContainersDeleted.Count == 0 ? null : report.ContainersDeleted,
            report.SpaceReclaimed), ApiJson.ContainerOps.ContainerPruneResponseWire);
    }
}
