using System.Text.Json;
using Berth.Engine.Errors;

namespace Berth.Engine.Distribution;

/// <summary>
/// An error a registry answered (docker/distribution errcode.Error): its code ("MANIFEST_UNKNOWN")
/// and message. Its text is Go's: the code in lower case with spaces, a colon, the message.
/// </summary>
public sealed class RegistryErrorException : DaemonException
{
    public RegistryErrorException(string code, string message, int status)
        : base(KindFor(code), Describe(code) + ": " + message)
    {
        Code = code;
        RegistryMessage = message;
        Status = status;
    }

    public string Code { get; }
    public string RegistryMessage { get; }
    public int Status { get; }

    public static string Describe(string code) => code.Replace('_', ' ').ToLowerInvariant();

    private static ErrorKind KindFor(string code) => code == "UNAUTHORIZED" ? ErrorKind.Unauthorized : ErrorKind.System;
}

/// <summary>A registry answered something that is not a registry error (dockerd's UnexpectedHTTPResponseError).</summary>
public sealed class RegistryHttpException(string message, int status) : DaemonException(ErrorKind.System, message)
{
    public int Status { get; } = status;
}

/// <summary>The request never got an HTTP answer (connection refused, TLS failure, …): Go's url.Error text.</summary>
public sealed class RegistryTransportException(string message, bool tlsFailure, Exception? inner = null)
    : DaemonException(ErrorKind.System, message, inner)
{
    /// <summary>The TLS handshake failed: falling back to another endpoint is allowed, as dockerd does.</summary>
    public bool TlsFailure { get; } = tlsFailure;
}

public static class RegistryErrors
{
    /// <summary>
    /// docker/distribution HandleErrorResponse: a bearer challenge's OAuth error first
    /// (invalid_token → UNAUTHORIZED, insufficient_scope → DENIED), then the JSON error body,
    /// then "details" bodies of token servers; 401 without anything is UNAUTHORIZED.
    /// </summary>
    public static DaemonException FromResponse(int status, string reason, IReadOnlyList<AuthChallenge> challenges, byte[] body)
    {
        if (status is >= 400 and < 500)
        {
            foreach (var c in challenges)
            {
                if (c.Scheme != "bearer")
                {
                    continue;
                }
                string? code = c.Get("error") switch
                {
                    "invalid_token" => "UNAUTHORIZED",
                    "insufficient_scope" => "DENIED",
                    _ => null,
                };
                if (code is not null)
                {
                    var description = c.Get("error_description");
                    return new RegistryErrorException(code, string.IsNullOrEmpty(description) ? DefaultMessage(code) : description, status);
                }
            }
            if (ParseBody(body, status) is { } parsed)
            {
                return parsed;
            }
            if (status == 401)
            {
                return new RegistryErrorException("UNAUTHORIZED", DefaultMessage("UNAUTHORIZED"), status);
            }
        }
        var text = System.Text.Encoding.UTF8.GetString(body).Trim();
        return new RegistryHttpException(
            status is >= 400 and < 500 && text.Length > 0
                ? $"error parsing HTTP {status} response body: {Truncate(text)}"
                : $"received unexpected HTTP status: {status} {reason}", status);
    }

    private static RegistryErrorException? ParseBody(byte[] body, int status)
    {
        if (body.Length == 0)
        {
            return null;
        }
        try
        {
            using var doc = JsonDocument.Parse(body);
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return null;
            }
            if (root.TryGetProperty("errors", out var errors) && errors.ValueKind == JsonValueKind.Array && errors.GetArrayLength() > 0)
            {
                var first = errors[0];
                string code = first.TryGetProperty("code", out var c) && c.ValueKind == JsonValueKind.String ? c.GetString()! : "UNKNOWN";
                string message = first.TryGetProperty("message", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString()! : DefaultMessage(code);
                return new RegistryErrorException(code, message, status);
            }
            if (status == 401 && root.TryGetProperty("details", out var details) && details.ValueKind == JsonValueKind.String)
            {
                return new RegistryErrorException("UNAUTHORIZED", details.GetString()!, status);
            }
        }
        catch (JsonException)
        {
        }
        return null;
    }

    private static string DefaultMessage(string code) => code switch
    {
        "UNAUTHORIZED" => "authentication required",
        "DENIED" => "requested access to the resource is denied",
        "MANIFEST_UNKNOWN" => "manifest unknown",
        "NAME_UNKNOWN" => "repository name not known to registry",
        "BLOB_UNKNOWN" => "blob unknown to registry",
        _ => "unknown error",
    };

    private static string Truncate(string text) => text.Length > 200 ? text[..200] : text;
}
