using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Berth.Engine.Errors;
using Microsoft.AspNetCore.Http;

namespace Berth.Api.Http;

/// <summary>Small decode/encode helpers every router shares.</summary>
public static class HttpContextExtensions
{
    private static readonly byte[] NewLine = "\n"u8.ToArray();

    /// <summary>Writes one JSON document followed by a newline, as Go's json.Encoder does.</summary>
    public static async Task WriteJsonAsync<T>(this HttpContext context, T value, JsonTypeInfo<T> type, int status = StatusCodes.Status200OK)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        await JsonSerializer.SerializeAsync(context.Response.Body, value, type, context.RequestAborted);
        await context.Response.Body.WriteAsync(NewLine, context.RequestAborted);
    }

    /// <summary>The negotiated API version (the maximum when the path had no prefix).</summary>
    public static ApiVersion ApiVersion(this HttpContext context) =>
        context.Features.Get<ApiVersionFeature>()?.Version ?? ApiVersions.Max;

    /// <summary>
    /// A boolean query parameter the way dockerd reads one (httputils.BoolValue): absent, empty,
    /// "0", "no", "false" and "none" are false; anything else is true.
    /// </summary>
    public static bool QueryBool(this HttpContext context, string name)
    {
        string? value = context.Request.Query[name];
        if (string.IsNullOrEmpty(value))
        {
            return false;
        }
        string v = value.Trim().ToLowerInvariant();
        return v is not ("" or "0" or "no" or "false" or "none");
    }

    /// <summary>An integer query parameter; absent or empty gives the default, garbage gives 400.</summary>
    public static long QueryInt(this HttpContext context, string name, long defaultValue)
    {
        string? value = context.Request.Query[name];
        if (string.IsNullOrEmpty(value))
        {
            return defaultValue;
        }
        if (!long.TryParse(value, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out long result))
        {
            throw DaemonException.InvalidParameter($"invalid value for {name}: {value}");
        }
        return result;
    }

    /// <summary>A route value that the route template guarantees.</summary>
    public static string RouteValue(this HttpContext context, string name) =>
        context.Request.RouteValues[name] as string ?? throw DaemonException.InvalidParameter($"missing {name}");

    /// <summary>
    /// Reads a JSON body the way dockerd's ReadJSON does: an empty body is allowed (null), a body
    /// needs application/json, decode failures and trailing content are InvalidParameter.
    /// </summary>
    public static async Task<T?> ReadJsonAsync<T>(this HttpContext context, JsonTypeInfo<T> type)
        where T : class
    {
        var request = context.Request;
        if (request.ContentLength == 0 || (request.ContentLength is null && request.Headers.TransferEncoding.Count == 0))
        {
            return null;
        }
        string? contentType = request.ContentType;
        if (!string.IsNullOrEmpty(contentType) &&
            !contentType.StartsWith("application/json", StringComparison.OrdinalIgnoreCase))
        {
            throw DaemonException.InvalidParameter($"unsupported Content-Type header ({contentType}): must be 'application/json'");
        }
        try
        {
            return await JsonSerializer.DeserializeAsync(request.Body, type, context.RequestAborted);
        }
        catch (JsonException e)
        {
            throw DaemonException.InvalidParameter($"invalid JSON: {e.Message}");
        }
    }
}
