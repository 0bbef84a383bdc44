using System.Text.Json;
using Berth.Api.Http;
using Berth.Api.Models;
using Berth.Engine.Distribution;
using Berth.Engine.Errors;
using Berth.Engine.Images.References;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Berth.Api.Routers;

/// <summary>
/// Registry endpoints: POST /auth, GET /distribution/{name}/json, GET /images/search, and the
/// pull (POST /images/create?fromImage=) and push (POST /images/{name}/push) handlers that
/// ImagesRouter hands over. Pull and push answer 200 with a JSON progress stream once the first
/// line is written; a failure before that is a plain HTTP error, after it a line with "error",
/// as dockerd's WriteFlusher decides.
/// </summary>
public sealed class DistributionRouter(DistributionService distribution) : IRouter
{
    private static readonly DistributionJsonContext Json = new(new JsonSerializerOptions
    {
        Encoder = ApiJson.Encoder,
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
    });

    /// <summary>The service behind the routes (the builder pulls through it too).</summary>
    public DistributionService Service => distribution;

    public void Map(IEndpointRouteBuilder routes)
    {
        routes.MapPost("/auth", LoginAsync);
        routes.MapGet("/distribution/{**name}", InspectAsync);
        routes.MapGet("/images/search", SearchAsync);
    }

    public Task PullAsync(HttpContext context)
    {
        var query = context.Request.Query;
        string image = query["fromImage"].ToString().TrimEnd(':');
        string tag = query["tag"].ToString();
        if (!ImageReference.TryParseNormalizedNamed(image, out var reference, out var error))
        {
            throw DaemonException.InvalidParameter(error ?? $"invalid reference format: {image}");
        }
        if (tag.Length > 0)
        {
            reference = Engine.Images.Digest.TryParse(tag, out var digest)
                ? reference.TrimNamed().WithDigest(digest)
                : ImageReference.IsValidTag(tag) ? reference.WithTag(tag) : throw DaemonException.InvalidParameter("invalid tag format");
        }
        string? platform = context.ApiVersion() >= new ApiVersion(1, 32) ? query["platform"].ToString() : null;
        var request = new PullRequest(reference, platform, RegistryAuth.FromHeader(context.Request.Headers["X-Registry-Auth"]));
        return StreamAsync(context, (sink, ct) => distribution.PullAsync(request, sink, ct));
    }

    public Task PushAsync(HttpContext context, string name)
    {
        string tag = context.Request.Query["tag"].ToString();
        ImageReference reference;
        if (tag.Length > 0)
        {
            reference = ImageTagRules.ValidateTagRequest(name, tag)!;
        }
        else if (!ImageReference.TryParseNormalizedNamed(name, out reference!, out var error))
        {
            throw DaemonException.InvalidParameter(error ?? $"invalid reference format: {name}");
        }
        var request = new PushRequest(reference, RegistryAuth.FromHeader(context.Request.Headers["X-Registry-Auth"]));
        return StreamAsync(context, (sink, ct) => distribution.PushAsync(request, sink, ct));
    }

    private static async Task StreamAsync(HttpContext context, Func<ProgressSink, CancellationToken, Task> run)
    {
        using var writer = new ProgressWriter(context);
        try
        {
            await run(writer.WriteAsync, context.RequestAborted);
        }
        catch (Exception e) when (writer.Started && !context.RequestAborted.IsCancellationRequested)
        {
            await writer.WriteWireAsync(new ProgressMessageWire { ErrorDetail = new ErrorDetailWire(e.Message), Error = e.Message }, context.RequestAborted);
        }
    }

    private async Task LoginAsync(HttpContext context)
    {
        using var buffer = new MemoryStream();
        await context.Request.Body.CopyToAsync(buffer, context.RequestAborted);
        var auth = RegistryAuth.FromJson(buffer.ToArray());
        var token = await distribution.LoginAsync(auth, context.RequestAborted);
        await context.WriteJsonAsync(new AuthResponseWire(token, Messages.LoginSucceeded), Json.AuthResponseWire);
    }

    private async Task InspectAsync(HttpContext context)
    {
        string path = context.RouteValue("name");
        if (!path.EndsWith("/json", StringComparison.Ordinal) || path.Length <= 5)
        {
            throw DaemonException.NotFound(Messages.PageNotFound);
        }
        string name = path[..^5];
        if (!ImageReference.TryParseNormalizedNamed(name, out var reference, out var error))
        {
            throw DaemonException.InvalidParameter(error ?? $"invalid reference format: {name}");
        }
        var remote = await distribution.InspectAsync(reference, RegistryAuth.FromHeader(context.Request.Headers["X-Registry-Auth"]), context.RequestAborted);
        var body = new DistributionInspectWire(
            new DescriptorWire(remote.MediaType, remote.Digest.ToString(), remote.Size),
            [.. remote.Platforms.Select(p => new PlatformWire(p.Architecture ?? "", p.Os ?? "", string.IsNullOrEmpty(p.Variant) ? null : p.Variant))]);
        await context.WriteJsonAsync(body, Json.DistributionInspectWire);
    }

    private async Task SearchAsync(HttpContext context)
    {
        string term = context.Request.Query["term"].ToString();
        int limit = (int)context.QueryInt("limit", 25);
        if (limit < 1 || limit > 100)
        {
            throw DaemonException.InvalidParameter($"limit {limit} is outside the range of [1, 100]");
        }
        var results = await distribution.SearchAsync(term, limit, RegistryAuth.FromHeader(context.Request.Headers["X-Registry-Auth"]), context.RequestAborted);
        IReadOnlyList<SearchResultWire> body = [.. results.Select(r => new SearchResultWire(r.StarCount, r.IsOfficial, r.Name, r.IsAutomated, r.Description))];
        await context.WriteJsonAsync(body, Json.IReadOnlyListSearchResultWire);
    }

    /// <summary>Serialises progress lines from parallel transfers onto the response; starts it on the first.</summary>
    private sealed class ProgressWriter(HttpContext context) : IDisposable
    {
        private readonly SemaphoreSlim _gate = new(1, 1);

        public bool Started { get; private set; }

        public ValueTask WriteAsync(ProgressMessage message, CancellationToken cancellationToken) =>
            new(WriteWireAsync(ToWire(message), cancellationToken));

        public async Task WriteWireAsync(ProgressMessageWire wire, CancellationToken cancellationToken)
        {
            await _gate.WaitAsync(cancellationToken);
            try
            {
                var response = context.Response;
                if (!Started)
                {
                    response.StatusCode = StatusCodes.Status200OK;
                    response.ContentType = "application/json";
                    await response.StartAsync(cancellationToken);
                    Started = true;
                }
                await JsonLines.WriteAsync(response, wire, Json.ProgressMessageWire, cancellationToken);
            }
            finally
            {
                _gate.Release();
            }
        }

        public void Dispose() => _gate.Dispose();

        private static ProgressMessageWire ToWire(ProgressMessage m) => m.Kind switch
        {
            ProgressKind.Message => new ProgressMessageWire { Status = m.Status, Id = string.IsNullOrEmpty(m.Id) ? null : m.Id },
            ProgressKind.Update => new ProgressMessageWire { Status = m.Status, ProgressDetail = new ProgressDetailWire(0, 0), Id = m.Id },
            ProgressKind.Progress => new ProgressMessageWire
            {
                Status = m.Status,
                ProgressDetail = new ProgressDetailWire(m.Current, m.Total),
                Progress = m.Current > 0 || m.Total > 0 ? ImageArchiveRouter.ProgressBar(m.Current, m.Total) : null,
                Id = m.Id,
            },
            _ => new ProgressMessageWire
            {
                ProgressDetail = new ProgressDetailWire(0, 0),
                Aux = m.Result is { } r ? new PushResultWire(r.Tag, r.Digest, r.Size) : null,
            },
        };
    }
}
