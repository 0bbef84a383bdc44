using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Berth.Engine.Errors;
using Microsoft.AspNetCore.Http;

namespace Berth.Api.Http;

/// <summary>
/// The body of an upgrade request (exec start). Kestrel will not upgrade a request that has a
/// body, so the daemon's connection middleware moves such a body into <see cref="Header"/>
/// (base64) before Kestrel parses the request; without the header the body is read as usual.
/// </summary>
public static class UpgradeBody
{
    /// <summary>Same name as Berth.Daemon.Transport.UpgradeBodyRewriter.BodyHeader.</summary>
    public const string Header = "Berth-Upgrade-Body";

    public static async Task<T?> ReadJsonAsync<T>(HttpContext context, JsonTypeInfo<T> type)
        where T : class
    {
        string? encoded = context.Request.Headers[Header];
        if (encoded is null)
        {
            return await context.ReadJsonAsync(type);
        }
        try
        {
            return JsonSerializer.Deserialize(Convert.FromBase64String(encoded), type);
        }
        catch (Exception e) when (e is JsonException or FormatException)
        {
            throw DaemonException.InvalidParameter($"invalid JSON: {e.Message}");
        }
    }
}
