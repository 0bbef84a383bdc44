using System.Text.Json;
using System.Text.Json.Serialization;
using Berth.Api.Http;
using Berth.Engine.Build;
using Berth.Engine.Errors;
using Berth.Engine.Images.References;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Berth.Api.Routers;

/// <summary>
/// POST /build (the classic builder protocol: context tar in, JSON message stream out) and
/// POST /build/prune. As dockerd's postBuild does, an error before the first message is an HTTP
/// error; after that it is an errorDetail message with the failing step's exit code.
/// </summary>
public sealed class BuildRouter(IBuildService builds) : IRouter
{
    private static readonly BuildWireContext Wire = new(new JsonSerializerOptions
    {
        Encoder = ApiJson.Encoder,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    });

    public void Map(IEndpointRouteBuilder routes)
    {
        routes.MapPost("/build", BuildAsync);
        routes.MapPost("/build/prune", PruneAsync);
    }

    private async Task BuildAsync(HttpContext context)
    {
        var options = BuildQuery.Parse(context);
        if (context.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = null;
        }
        var output = new StreamOutput(context);
        try
        {
            await builds.BuildAsync(context.Request.Body, options, output, context.RequestAborted);
        }
        catch (Exception e) when (output.Started && (e is not OperationCanceledException || !context.RequestAborted.IsCancellationRequested))
        {
            int code = e is BuildStepException step ? step.Code : 0;
            await output.WriteMessageAsync(new BuildMessageWire { ErrorDetail = new BuildErrorWire(code == 0 ? null : code, e.Message), Error = e.Message }, context.RequestAborted);
        }
    }

    private async Task PruneAsync(HttpContext context)
    {
        bool all = context.QueryBool("all");
        var removed = builds.Prune(all);
        await context.WriteJsonAsync(new BuildPruneWire(removed, 0), Wire.BuildPruneWire);
    }

    /// <summary>Starts the 200 response at the first message.</summary>
    private sealed class StreamOutput(HttpContext context) : IBuildOutput
    {
        public bool Started { get; private set; }

        public ValueTask WriteAsync(string text, CancellationToken cancellationToken) =>
            new(WriteMessageAsync(new BuildMessageWire { Stream = text }, cancellationToken));

        public ValueTask AuxAsync(string imageId, CancellationToken cancellationToken) =>
            new(WriteMessageAsync(new BuildMessageWire { Aux = new BuildAuxWire(imageId) }, cancellationToken));

        public async Task WriteMessageAsync(BuildMessageWire message, CancellationToken cancellationToken)
        {
            if (!Started)
            {
                Started = true;
                context.Response.StatusCode = StatusCodes.Status200OK;
                context.Response.ContentType = "application/json";
                await context.Response.StartAsync(cancellationToken);
            }
            await JsonLines.WriteAsync(context.Response, message, Wire.BuildMessageWire, cancellationToken);
        }
    }
}

/// <summary>The query of POST /build, read as dockerd's newImageBuildOptions does.</summary>
internal static class BuildQuery
{
    public static BuildOptions Parse(HttpContext context)
    {
        var q = context.Request.Query;
        if (!string.IsNullOrEmpty(q["remote"]))
        {
            throw DaemonException.NotImplemented("remote build contexts are not supported; send the context as the request body");
        }
        if (q["version"] == "2")
        {
            throw DaemonException.InvalidParameter("BuildKit is not supported by this daemon: build with DOCKER_BUILDKIT=0");
        }
        var tags = new List<string>();
        foreach (var tag in q["t"])
        {
            if (string.IsNullOrEmpty(tag))
            {
                continue;
            }
            if (!ImageReference.TryParseNormalizedNamed(tag, out var reference, out string? error) || reference.Digest is not null)
            {
                throw DaemonException.InvalidParameter(error ?? "invalid reference format");
            }
            tags.Add(reference.Tag is null ? tag + ":latest" : tag);
        }
        return new BuildOptions
        {
            Tags = tags,
            Dockerfile = q["dockerfile"].ToString() is { Length: > 0 } f ? f : "Dockerfile",
            BuildArgs = JsonMap<string?>(q["buildargs"], BuildWireJson.Args),
            Labels = JsonMap<string>(q["labels"], BuildWireJson.Labels),
            Target = q["target"].ToString() is { Length: > 0 } t ? t : null,
            NoCache = context.QueryBool("nocache"),
            Pull = context.QueryBool("pull"),
            Remove = !q.ContainsKey("rm") || context.QueryBool("rm"),
            ForceRemove = context.QueryBool("forcerm"),
            Quiet = context.QueryBool("q"),
            NetworkMode = q["networkmode"].ToString() is { Length: > 0 } n ? n : null,
            ShmSize = context.QueryInt("shmsize", 0),
            Memory = context.QueryInt("memory", 0),
            MemorySwap = context.QueryInt("memswap", 0),
            CpuShares = context.QueryInt("cpushares", 0),
            CpuPeriod = context.QueryInt("cpuperiod", 0),
            CpuQuota = context.QueryInt("cpuquota", 0),
            CpusetCpus = q["cpusetcpus"].ToString() is { Length: > 0 } c ? c : null,
            CpusetMems = q["cpusetmems"].ToString() is { Length: > 0 } m ? m : null,
            Platform = q["platform"].ToString() is { Length: > 0 } p ? p : null,
            ExtraHosts = [.. q["extrahosts"].ToString().Split(',', StringSplitOptions.RemoveEmptyEntries)],
        };
    }

    private static Dictionary<string, T> JsonMap<T>(string? text, System.Text.Json.Serialization.Metadata.JsonTypeInfo<Dictionary<string, T>> type)
    {
        if (string.IsNullOrEmpty(text))
        {
            return [];
        }
        try
        {
            return JsonSerializer.Deserialize(text, type) ?? [];
        }
        catch (JsonException e)
        {
            throw DaemonException.InvalidParameter(e.Message);
        }
    }
}

public sealed record BuildMessageWire
{
    [JsonPropertyName("stream")] public string? Stream { get; init; }
    [JsonPropertyName("errorDetail")] public BuildErrorWire? ErrorDetail { get; init; }
    [JsonPropertyName("error")] public string? Error { get; init; }
    [JsonPropertyName("aux")] public BuildAuxWire? Aux { get; init; }
}

public sealed record BuildErrorWire([property: JsonPropertyName("code")] int? Code, [property: JsonPropertyName("message")] string Message);

public sealed record BuildAuxWire([property: JsonPropertyName("ID")] string Id);

public sealed record BuildPruneWire(IReadOnlyList<string> CachesDeleted, long SpaceReclaimed);

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(BuildMessageWire))]
[JsonSerializable(typeof(BuildPruneWire))]
[JsonSerializable(typeof(Dictionary<string, string?>))]
[JsonSerializable(typeof(Dictionary<string, string>))]
public sealed partial class BuildWireContext : JsonSerializerContext;

internal static class BuildWireJson
{
    private static readonly BuildWireContext Context = new(new JsonSerializerOptions());

    public static System.Text.Json.Serialization.Metadata.JsonTypeInfo<Dictionary<string, string?>> Args => Context.DictionaryStringString;

    public static System.Text.Json.Serialization.Metadata.JsonTypeInfo<Dictionary<string, string>> Labels => Context.DictionaryStringString;
}
