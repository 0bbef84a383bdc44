using System.Globalization;
using Berth.Api.Http;
using Berth.Api.Models;
using Berth.Engine.Errors;
using Berth.Engine.Filters;
using Berth.Engine.Networks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Berth.Api.Routers;

/// <summary>/networks: list, inspect, create, remove, prune, connect, disconnect (api/server/router/network).</summary>
public sealed class NetworksRouter : IRouter
{
    private readonly INetworkBackend _backend;

    public NetworksRouter(INetworkBackend backend)
    {
        _backend = backend;
    }

    public void Map(IEndpointRouteBuilder routes)
    {
        routes.MapGet("/networks", ListAsync);
        routes.MapGet("/networks/{id}", InspectAsync);
        routes.MapPost("/networks/create", CreateAsync);
        routes.MapPost("/networks/prune", PruneAsync);
        routes.MapPost("/networks/{id}/connect", ConnectAsync);
        routes.MapPost("/networks/{id}/disconnect", DisconnectAsync);
        routes.MapDelete("/networks/{id}", context =>
        {
            _backend.Remove(context.RouteValue("id"));
            context.Response.StatusCode = StatusCodes.Status204NoContent;
            return Task.CompletedTask;
        });
    }

    private async Task ListAsync(HttpContext context)
    {
        var filters = FilterArgs.Parse(context.Request.Query["filters"]);
        var list = _backend.List(filters).Select(n => ToWire(n, [])).ToList();
        await context.WriteJsonAsync(list, ApiJson.Networks.ListNetworkResourceWire);
    }

    private async Task InspectAsync(HttpContext context)
    {
        var n = _backend.Inspect(context.RouteValue("id"));
        await context.WriteJsonAsync(ToWire(n, _backend.Endpoints(n.Id)), ApiJson.Networks.NetworkResourceWire);
    }

    private async Task CreateAsync(HttpContext context)
    {
        var body = await context.ReadJsonAsync(ApiJson.Networks.NetworkCreateWire)
            ?? throw DaemonException.InvalidParameter("invalid JSON: request body is empty");
        var request = new NetworkCreateRequest
        {
            Name = body.Name ?? "",
            CheckDuplicate = body.CheckDuplicate,
            Driver = body.Driver,
            Scope = body.Scope,
            Internal = body.Internal,
            Attachable = body.Attachable,
            Ingress = body.Ingress,
            ConfigOnly = body.ConfigOnly,
            ConfigFrom = body.ConfigFrom?.Network,
            EnableIPv6 = body.EnableIPv6,
            Labels = body.Labels,
            Options = body.Options,
            IpamDriver = body.IPAM?.Driver,
            IpamOptions = body.IPAM?.Options,
            IpamConfig = (body.IPAM?.Config ?? []).Select(c => new IpamPoolRequest(c.Subnet, c.IPRange, c.Gateway, c.AuxiliaryAddresses)).ToList(),
        };
        var created = _backend.Create(request);
        await context.WriteJsonAsync(new NetworkCreateResponseWire(created.Id, created.Warning), ApiJson.Networks.NetworkCreateResponseWire, StatusCodes.Status201Created);
    }

    private async Task PruneAsync(HttpContext context)
    {
        var deleted = _backend.Prune(FilterArgs.Parse(context.Request.Query["filters"]));
        // dockerd leaves the slice nil when nothing was removed, which encodes as null.
        await context.WriteJsonAsync(new NetworkPruneResponseWire(deleted.Count == 0 ? null : deleted), ApiJson.Networks.NetworkPruneResponseWire);
    }

    private async Task ConnectAsync(HttpContext context)
    {
        var body = await context.ReadJsonAsync(ApiJson.Networks.NetworkConnectWire) ?? new NetworkConnectWire();
        await _backend.ConnectAsync(context.RouteValue("id"), body.Container ?? "", EndpointWireMapping.ToEngine(body.EndpointConfig), context.RequestAborted);
        context.Response.StatusCode = StatusCodes.Status200OK;
    }

    private async Task DisconnectAsync(HttpContext context)
    {
        var body = await context.ReadJsonAsync(ApiJson.Networks.NetworkConnectWire) ?? new NetworkConnectWire();
        await _backend.DisconnectAsync(context.RouteValue("id"), body.Container ?? "", body.Force, context.RequestAborted);
        context.Response.StatusCode = StatusCodes.Status200OK;
    }

    internal static NetworkResourceWire ToWire(NetworkRecord n, IReadOnlyList<NetworkEndpoint> endpoints) => new(
        n.Name,
        n.Id,
        FormatRfc3339Nano(n.Created),
        "local",
        n.Driver,
        n.EnableIPv6,
        new IpamWire(n.IpamDriver, n.IpamOptions,
            n.IpamConfig.Select(p => new IpamConfigWire(p.Subnet, p.IPRange, p.Gateway, p.AuxiliaryAddresses)).ToList()),
        n.Internal,
        n.Attachable,
        false,
        new ConfigReferenceWire(""),
        false,
        endpoints.ToDictionary(e => e.ContainerId, e => new EndpointResourceWire(e.Name, e.EndpointId, e.MacAddress, e.IPv4Address, e.IPv6Address)),
        n.Options,
        n.Labels);

    /// <summary>Go's time.RFC3339Nano in UTC: fraction without trailing zeros, "Z" suffix.</summary>
    internal static string FormatRfc3339Nano(DateTimeOffset time)
    {
        var utc = time.UtcDateTime;
        string fraction = (utc.Ticks % TimeSpan.TicksPerSecond).ToString("D7", CultureInfo.InvariantCulture).TrimEnd('0');
        return utc.ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture) + (fraction.Length > 0 ? "." + fraction : "") + "Z";
    }
}
