using System.Text;
using System.Text.Json;
using Berth.Engine.Errors;

namespace Berth.Engine.Distribution;

/// <summary>
/// Credentials for one registry (moby registry.AuthConfig): what the client sends in
/// X-Registry-Auth (base64url JSON) or as the body of POST /auth.
/// </summary>
public sealed record RegistryAuth
{
    public static RegistryAuth Anonymous { get; } = new();

    public string? Username { get; init; }
    public string? Password { get; init; }
    public string? ServerAddress { get; init; }

    /// <summary>An OAuth2 refresh token from an earlier login; used instead of the password.</summary>
    public string? IdentityToken { get; init; }

    /// <summary>A bearer token handed to the registry as is.</summary>
    public string? RegistryToken { get; init; }

    public bool HasBasic => !string.IsNullOrEmpty(Username) && !string.IsNullOrEmpty(Password);

    /// <summary>
    /// Decodes X-Registry-Auth. As dockerd's pull and push do, a header that does not decode is
    /// treated as no credentials (the request then fails the registry's auth, visibly).
    /// </summary>
    public static RegistryAuth FromHeader(string? header)
    {
        if (string.IsNullOrWhiteSpace(header))
        {
            return Anonymous;
        }
        try
        {
            return FromJson(DecodeBase64(header.Trim()));
        }
        catch (Exception e) when (e is FormatException or DaemonException)
        {
            return Anonymous;
        }
    }

    /// <summary>Parses an AuthConfig JSON document (field names matched case-insensitively, as Go does).</summary>
    public static RegistryAuth FromJson(ReadOnlySpan<byte> json)
    {
        if (json.Trim(" \t\r\n"u8).IsEmpty)
        {
            return Anonymous;
        }
        try
        {
            using var doc = JsonDocument.Parse(json.ToArray());
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw DaemonException.InvalidParameter("invalid auth configuration: not a JSON object");
            }
            string? user = null, password = null, auth = null, server = null, identity = null, token = null;
            foreach (var p in doc.RootElement.EnumerateObject())
            {
                string? value = p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString() : null;
                switch (p.Name.ToLowerInvariant())
                {
                    case "username": user = value; break;
                    case "password": password = value; break;
                    case "auth": auth = value; break;
                    case "serveraddress": server = value; break;
                    case "identitytoken": identity = value; break;
                    case "registrytoken": token = value; break;
                }
            }
            // "auth" is base64("user:password"), what config.json stores; explicit fields win.
            if (!string.IsNullOrEmpty(auth) && string.IsNullOrEmpty(user) && string.IsNullOrEmpty(password))
            {
                var pair = Encoding.UTF8.GetString(Convert.FromBase64String(auth));
                int colon = pair.IndexOf(':', StringComparison.Ordinal);
                if (colon > 0)
                {
                    user = pair[..colon];
                    password = pair[(colon + 1)..];
                }
            }
            return new RegistryAuth
            {
                Username = user,
                Password = password,
                ServerAddress = server,
                IdentityToken = string.IsNullOrEmpty(identity) ? null : identity,
                RegistryToken = string.IsNullOrEmpty(token) ? null : token,
            };
        }
        catch (Exception e) when (e is JsonException or FormatException)
        {
            throw DaemonException.InvalidParameter("invalid auth configuration: " + e.Message);
        }
    }

    /// <summary>base64url as Go's URLEncoding writes it, padded or not; standard alphabet accepted too.</summary>
    private static byte[] DecodeBase64(string text)
    {
        var normalized = text.Replace('-', '+').Replace('_', '/');
        normalized = normalized.PadRight(normalized.Length + ((4 - normalized.Length % 4) % 4), '=');
        return Convert.FromBase64String(normalized);
    }

    /// <summary>The Basic credentials header value.</summary>
    public string BasicHeader() => Convert.ToBase64String(Encoding.UTF8.GetBytes(Username + ":" + Password));

    public override string ToString() => $"RegistryAuth {{ Username = {Username}, ServerAddress = {ServerAddress} }}";
}
