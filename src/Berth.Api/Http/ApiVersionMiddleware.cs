using Berth.Engine.Errors;
using Microsoft.AspNetCore.Http;

namespace Berth.Api.Http;

/// <summary>
/// Strips an optional "/vX.Y" prefix so every route is reachable with and without it, rejects
/// versions outside [Min, Max] with dockerd's 400 texts, stores the negotiated version on the
/// request and sets the headers dockerd sends on every response.
/// </summary>
public sealed class ApiVersionMiddleware
{
    private readonly RequestDelegate _next;
    private readonly string _serverHeader;

    public ApiVersionMiddleware(RequestDelegate next, string serverHeader)
    {
        _next = next;
        _serverHeader = serverHeader;
    }

    public Task InvokeAsync(HttpContext context)
    {
        var headers = context.Response.Headers;
        headers["Api-Version"] = ApiVersions.Max.ToString();
        headers["Docker-Experimental"] = "false";
        headers["Ostype"] = "linux";
        headers["Server"] = _serverHeader;

        var version = ApiVersions.Max;
        string path = context.Request.Path.Value ?? "/";
        if (TrySplitVersionPrefix(path, out var prefix, out var rest))
        {
            if (!ApiVersion.TryParse(prefix, out version))
            {
                // dockerd's router only matches /v{version:[0-9.]+}; anything else is an unknown page.
                throw new DaemonException(ErrorKind.NotFound, Messages.PageNotFound);
            }
            if (version < ApiVersions.Min)
            {
                throw DaemonException.InvalidParameter(Messages.ApiVersionTooOld(prefix.ToString(), ApiVersions.Min.ToString()));
            }
            if (version > ApiVersions.Max)
            {
                throw DaemonException.InvalidParameter(Messages.ApiVersionTooNew(prefix.ToString(), ApiVersions.Max.ToString()));
            }
            context.Request.PathBase = context.Request.PathBase.Add(new PathString(path[..(path.Length - rest.Length)]));
            context.Request.Path = new PathString(rest.Length == 0 ? "/" : rest.ToString());
        }
        context.Features.Set(new ApiVersionFeature(version));
        return _next(context);
    }

    /// <summary>Splits "/v1.44/containers/json" into "1.44" and "/containers/json".</summary>
    internal static bool TrySplitVersionPrefix(string path, out ReadOnlySpan<char> version, out ReadOnlySpan<char> rest)
    {
        version = default;
        rest = default;
        if (path.Length < 3 || path[0] != '/' || path[1] != 'v' || path[2] is < '0' or > '9')
        {
            return false;
        }
        int end = path.IndexOf('/', 1);
        version = end < 0 ? path.AsSpan(2) : path.AsSpan(2, end - 2);
        rest = end < 0 ? ReadOnlySpan<char>.Empty : path.AsSpan(end);
        return true;
    }
}

/// <summary>The API version negotiated for the current request.</summary>
public sealed record ApiVersionFeature(ApiVersion Version);
