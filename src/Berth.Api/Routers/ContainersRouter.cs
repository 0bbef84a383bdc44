using Berth.Api.Http;
using Berth.Api.Models;
using Berth.Engine.Containers;
using Berth.Engine.Errors;
using Berth.Engine.Filters;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Berth.Api.Routers;

/// <summary>
/// Container lifecycle endpoints (create, start, stop, restart, kill, wait, rename, delete,
/// list, inspect); streams (attach, logs, resize) are in ContainerStreamsRouter. Decode, call <see cref="IContainerService"/>, encode.
/// </summary>
public sealed class ContainersRouter : IRouter
{
    private readonly IContainerService _containers;
    private readonly TimeProvider _time;

    public ContainersRouter(IContainerService containers, TimeProvider time)
    {
        _containers = containers;
        _time = time;
    }

    public void Map(IEndpointRouteBuilder routes)
    {
        routes.MapPost("/containers/create", CreateAsync);
        routes.MapGet("/containers/json", ListAsync);
        routes.MapGet("/containers/{id}/json", InspectAsync);
        routes.MapPost("/containers/{id}/start", StartAsync);
        routes.MapPost("/containers/{id}/stop", StopAsync);
        routes.MapPost("/containers/{id}/restart", RestartAsync);
        routes.MapPost("/containers/{id}/kill", KillAsync);
        routes.MapPost("/containers/{id}/wait", WaitAsync);
        routes.MapPost("/containers/{id}/rename", RenameAsync);
        routes.MapDelete("/containers/{id}", DeleteAsync);
    }

    private async Task CreateAsync(HttpContext context)
    {
        var body = await context.ReadJsonAsync(ApiJson.Containers.ContainerCreateWire)
            ?? throw DaemonException.InvalidParameter(Messages.CreateConfigEmpty);
        var request = ContainerWireMapping.ToEngine(body, context.Request.Query["name"], context.Request.Query["platform"]);
        var result = await _containers.CreateAsync(request, context.RequestAborted);
        await context.WriteJsonAsync(new ContainerCreateResponseWire(result.Id, result.Warnings), ApiJson.Containers.ContainerCreateResponseWire,
            StatusCodes.Status201Created);
    }

    private Task ListAsync(HttpContext context)
    {
        var options = new ContainerListOptions(context.QueryBool("all"), (int)context.QueryInt("limit", -1), context.QueryBool("size"),
            FilterArgs.Parse(context.Request.Query["filters"]));
        var now = _time.GetUtcNow();
        IReadOnlyList<ContainerSummaryWire> body = [.. _containers.List(options).Select(s => ContainerWireMapping.ToWire(s, now))];
        return context.WriteJsonAsync(body, ApiJson.Containers.IReadOnlyListContainerSummaryWire);
    }

    private Task InspectAsync(HttpContext context) =>
        context.WriteJsonAsync(ContainerWireMapping.ToWire(_containers.Inspect(context.RouteValue("id"))), ApiJson.Containers.ContainerInspectWire);

    private async Task StartAsync(HttpContext context)
    {
        bool started = await _containers.StartAsync(context.RouteValue("id"), context.RequestAborted);
        context.Response.StatusCode = started ? StatusCodes.Status204NoContent : StatusCodes.Status304NotModified;
    }

    private async Task StopAsync(HttpContext context)
    {
        bool stopped = await _containers.StopAsync(context.RouteValue("id"), StopOptionsOf(context), context.RequestAborted);
        context.Response.StatusCode = stopped ? StatusCodes.Status204NoContent : StatusCodes.Status304NotModified;
    }

    private async Task RestartAsync(HttpContext context)
    {
        await _containers.RestartAsync(context.RouteValue("id"), StopOptionsOf(context), context.RequestAborted);
        context.Response.StatusCode = StatusCodes.Status204NoContent;
    }

    private async Task KillAsync(HttpContext context)
    {
        await _containers.KillAsync(context.RouteValue("id"), context.Request.Query["signal"], context.RequestAborted);
        context.Response.StatusCode = StatusCodes.Status204NoContent;
    }

    /// <summary>
    /// Headers go out as soon as the waiter is registered (dockerd flushes them too), so a
    /// client that waits before it starts the container is not blocked on the response.
    /// </summary>
    private async Task WaitAsync(HttpContext context)
    {
        var condition = ContainerService.ParseWaitCondition(context.Request.Query["condition"]);
        Task<WaitResult> waiting = _containers.WaitAsync(context.RouteValue("id"), condition, context.RequestAborted);
        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = "application/json";
        await context.Response.StartAsync(context.RequestAborted);
        await context.Response.Body.FlushAsync(context.RequestAborted);
        WaitResult result = await waiting;
        var body = new ContainerWaitResponseWire(result.Error is null ? null : new WaitErrorWire(result.Error), result.StatusCode);
        await System.Text.Json.JsonSerializer.SerializeAsync(context.Response.Body, body, ApiJson.Containers.ContainerWaitResponseWire, context.RequestAborted);
        await context.Response.Body.WriteAsync("\n"u8.ToArray(), context.RequestAborted);
    }

    private Task RenameAsync(HttpContext context)
    {
        _containers.Rename(context.RouteValue("id"), context.Request.Query["name"].ToString());
        context.Response.StatusCode = StatusCodes.Status204NoContent;
        return Task.CompletedTask;
    }

    private async Task DeleteAsync(HttpContext context)
    {
        await _containers.RemoveAsync(context.RouteValue("id"), context.QueryBool("force"), context.QueryBool("v"), context.RequestAborted);
        context.Response.StatusCode = StatusCodes.Status204NoContent;
    }

    private static StopOptions StopOptionsOf(HttpContext context)
    {
        string? signal = context.Request.Query["signal"];
        string? t = context.Request.Query["t"];
        int? timeout = string.IsNullOrEmpty(t) ? null : (int)context.QueryInt("t", 0);
        return new StopOptions(string.IsNullOrEmpty(signal) ? null : signal, timeout);
    }
}
