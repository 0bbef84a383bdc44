using System.Text.Json;
using System.Text.Json.Serialization;
using Berth.Api.Http;
using Berth.Engine.Errors;
using Berth.Engine.Images.Archive;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Berth.Api.Routers;

/// <summary>
/// docker save (GET /images/get?names=…, and GET /images/{name}/get via ImagesRouter) and docker
/// load (POST /images/load). Save streams a tar; load answers 200 with a JSON message stream and
/// reports failures inside it, as dockerd's postImagesLoad does.
/// </summary>
public sealed class ImageArchiveRouter(IImageArchive archive) : IRouter
{
    private static readonly ArchiveWireContext Wire = new(new JsonSerializerOptions
    {
        Encoder = ApiJson.Encoder,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    });

    public void Map(IEndpointRouteBuilder routes)
    {
        routes.MapGet("/images/get", context => SaveAsync(context, archive, [.. context.Request.Query["names"].Where(n => n is not null).Select(n => n!)]));
        routes.MapPost("/images/load", LoadAsync);
    }

    /// <summary>Shared with ImagesRouter's /images/{name}/get.</summary>
    public static Task SaveAsync(HttpContext context, IImageArchive archive, IReadOnlyList<string> names) =>
        archive.SaveAsync(names, async cancellationToken =>
        {
            context.Response.StatusCode = StatusCodes.Status200OK;
            context.Response.ContentType = "application/x-tar";
            await context.Response.StartAsync(cancellationToken);
            return context.Response.Body;
        }, context.RequestAborted);

    private async Task LoadAsync(HttpContext context)
    {
        // dockerd: BoolValueOrDefault(r, "quiet", true) — absent means quiet.
        bool quiet = !context.Request.Query.ContainsKey("quiet") || context.QueryBool("quiet");
        // Image archives are routinely gigabytes: lift Kestrel's 30 MB request body cap for this request.
        if (context.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = null;
        }
        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = "application/json";
        await context.Response.StartAsync(context.RequestAborted);
        var body = context.Response;
        try
        {
            await archive.LoadAsync(context.Request.Body, !quiet, (report, ct) => WriteAsync(body, ToWire(report), ct), context.RequestAborted);
        }
        catch (Exception e) when (e is not OperationCanceledException || !context.RequestAborted.IsCancellationRequested)
        {
            await WriteAsync(body, new JsonMessageWire { ErrorDetail = new JsonErrorWire(e.Message), Error = e.Message }, context.RequestAborted);
        }
    }

    private static JsonMessageWire ToWire(LoadReport report) => report.Message is { } message
        ? new JsonMessageWire { Stream = message + "\n" }
        : new JsonMessageWire
        {
            Status = "Loading layer",
            ProgressDetail = new JsonProgressWire(report.Current, report.Total),
            Progress = ProgressBar(report.Current, report.Total),
            Id = report.LayerId,
        };

    /// <summary>jsonmessage's bar: 50 cells, then "current/total" in decimal units.</summary>
    internal static string ProgressBar(long current, long total)
    {
        int width = 50;
        int filled = total > 0 ? (int)Math.Min(width, current * width / total) : 0;
        string bar = filled >= width ? new string('=', width) : new string('=', filled) + ">" + new string(' ', width - filled - 1);
        return $"[{bar}] {HumanSize(current),8}/{HumanSize(total)}";
    }

    private static string HumanSize(long bytes)
    {
        string[] units = ["B", "kB", "MB", "GB", "TB"];
        double value = bytes;
        int unit = 0;
        while (value >= 1000 && unit < units.Length - 1)
        {
            value /= 1000;
            unit++;
        }
        return value.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture) + units[unit];
    }

    private static Task WriteAsync(HttpResponse response, JsonMessageWire message, CancellationToken cancellationToken) =>
        JsonLines.WriteAsync(response, message, Wire.JsonMessageWire, cancellationToken);
}

/// <summary>moby jsonmessage.JSONMessage, the fields load uses, in Go's order.</summary>
public sealed record JsonMessageWire
{
    [JsonPropertyName("stream")] public string? Stream { get; init; }
    [JsonPropertyName("status")] public string? Status { get; init; }
    [JsonPropertyName("progressDetail")] public JsonProgressWire? ProgressDetail { get; init; }
    [JsonPropertyName("progress")] public string? Progress { get; init; }
    [JsonPropertyName("id")] public string? Id { get; init; }
    [JsonPropertyName("errorDetail")] public JsonErrorWire? ErrorDetail { get; init; }
    [JsonPropertyName("error")] public string? Error { get; init; }
}

public sealed record JsonProgressWire([property: JsonPropertyName("current")] long Current, [property: JsonPropertyName("total")] long Total);

public sealed record JsonErrorWire([property: JsonPropertyName("message")] string Message);

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(JsonMessageWire))]
public sealed partial class ArchiveWireContext : JsonSerializerContext;
