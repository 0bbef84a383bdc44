using Berth.Api.Http;
using Berth.Engine.Errors;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Berth.Api.Routers;

/// <summary>
/// Swarm, plugin and BuildKit-session endpoints, answered as a dockerd that is not part of a
/// swarm, has no plugins installed and runs the classic builder.
/// </summary>
public sealed class UnsupportedRouter : IRouter
{
    private static readonly byte[] EmptyList = "[]\n"u8.ToArray();

    public void Map(IEndpointRouteBuilder routes)
    {
        // Read-only swarm queries: dockerd's errNoSwarm / errNoManager.
        foreach (var path in new[] { "/swarm", "/swarm/unlockkey", "/nodes", "/nodes/{id}", "/services", "/services/{id}",
                     "/services/{id}/logs", "/tasks", "/tasks/{id}", "/tasks/{id}/logs", "/secrets", "/secrets/{id}", "/configs", "/configs/{id}" })
        {
            routes.MapGet(path, NotSwarmManager);
        }
        foreach (var path in new[] { "/nodes/{id}/update", "/services/{id}/update", "/secrets/{id}/update", "/configs/{id}/update" })
        {
            routes.MapPost(path, NotSwarmManager);
        }
        routes.MapPost("/swarm/leave", _ => throw DaemonException.Unavailable(Messages.NotPartOfSwarm));
        foreach (var path in new[] { "/swarm/init", "/swarm/join", "/swarm/update", "/swarm/unlock", "/services/create", "/secrets/create", "/configs/create" })
        {
            routes.MapPost(path, _ => throw DaemonException.NotImplemented(Messages.SwarmUnsupported));
        }

        routes.MapGet("/plugins", context =>
        {
            context.Response.ContentType = "application/json";
            return context.Response.Body.WriteAsync(EmptyList).AsTask();
        });
        routes.MapGet("/plugins/privileges", _ => throw DaemonException.NotImplemented(Messages.PluginsUnsupported));
        routes.MapGet("/plugins/{name}/json", context => throw DaemonException.NotFound(Messages.PluginNotFound(context.RouteValue("name"))));
        routes.MapDelete("/plugins/{name}", context => throw DaemonException.NotFound(Messages.PluginNotFound(context.RouteValue("name"))));
        foreach (var path in new[] { "/plugins/pull", "/plugins/create", "/plugins/{name}/enable", "/plugins/{name}/disable", "/plugins/{name}/upgrade", "/plugins/{name}/push", "/plugins/{name}/set" })
        {
            routes.MapPost(path, _ => throw DaemonException.NotImplemented(Messages.PluginsUnsupported));
        }

        routes.MapPost("/session", _ => throw DaemonException.NotImplemented(Messages.SessionUnsupported));
        routes.MapPost("/grpc", _ => throw DaemonException.NotImplemented(Messages.SessionUnsupported));
    }

    private static Task NotSwarmManager(HttpContext context) => throw DaemonException.Unavailable(Messages.NotSwarmManager);
}
