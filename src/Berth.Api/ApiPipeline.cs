using Berth.Api.Errors;
using Berth.Api.Http;
using Berth.Engine.Errors;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Routing;

namespace Berth.Api;

/// <summary>The request pipeline: errors → version prefix → routing → router endpoints → 404.</summary>
public static class ApiPipeline
{
    public static void Configure(WebApplication app, IEnumerable<IRouter> routers, string serverHeader)
    {
        app.UseMiddleware<ErrorMiddleware>();
        app.UseMiddleware<ApiVersionMiddleware>(serverHeader);
        app.UseRouting();
        // dockerd answers unknown paths, and known paths with the wrong method, with 404 "page not
        // found". ASP.NET's own 405 endpoint carries no method metadata; every router route does.
        app.Use((context, next) =>
        {
            if (context.GetEndpoint()?.Metadata.GetMetadata<IHttpMethodMetadata>() is null)
            {
                throw DaemonException.NotFound(Messages.PageNotFound);
            }
            return next(context);
        });
        foreach (var router in routers)
        {
            router.Map(app);
        }
    }
}
