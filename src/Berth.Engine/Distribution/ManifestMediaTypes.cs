using System.Text.Json;
using Berth.Engine.Images.Archive;

namespace Berth.Engine.Distribution;

/// <summary>The manifest media types of the distribution spec and Docker's, and how to tell them apart.</summary>
public static class ManifestMediaTypes
{
    public const string DockerSchema1 = "application/vnd.docker.distribution.manifest.v1+json";
    public const string DockerSchema1Signed = "application/vnd.docker.distribution.manifest.v1+prettyjws";
    public const string DockerConfig = "application/vnd.docker.container.image.v1+json";
    public const string DockerLayerGzip = "application/vnd.docker.image.rootfs.diff.tar.gzip";
    public const string DockerForeignLayer = "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip";
    public const string OciLayerGzip = "application/vnd.oci.image.layer.v1.tar+gzip";
    public const string OciLayerZstd = "application/vnd.oci.image.layer.v1.tar+zstd";

    /// <summary>The Accept list, in dockerd's order of preference.</summary>
    public static readonly IReadOnlyList<string> Accepted =
    [
        MediaTypes.DockerManifest, MediaTypes.DockerManifestList, MediaTypes.OciManifest, MediaTypes.OciIndex,
        DockerSchema1Signed, DockerSchema1,
    ];

    /// <summary>Layer and config types a pull accepts (checkSupportedMediaType: exact or as a prefix followed by '.').</summary>
    private static readonly string[] Supported =
    [
        "application/vnd.docker.", "application/vnd.oci.image.", "application/octet-stream",
    ];

    public static bool IsSchema1(string mediaType) => mediaType is DockerSchema1 or DockerSchema1Signed or "application/json";

    public static bool IsSupportedBlob(string? mediaType)
    {
        if (string.IsNullOrEmpty(mediaType))
        {
            return true;
        }
        var lower = mediaType.ToLowerInvariant();
        return Supported.Any(s => s.EndsWith('.') ? lower.StartsWith(s, StringComparison.Ordinal) : lower == s || lower.StartsWith(s + ".", StringComparison.Ordinal));
    }

    /// <summary>
    /// The Content-Type when it names a known type; else the document's own mediaType field;
    /// else its shape (manifests list "manifests", images have "config"; schemaVersion 1 is schema1).
    /// </summary>
    public static string Detect(string? contentType, byte[] body)
    {
        if (contentType is not null && Accepted.Contains(contentType))
        {
            return contentType;
        }
        try
        {
            using var doc = JsonDocument.Parse(body);
            var root = doc.RootElement;
            if (root.ValueKind == JsonValueKind.Object)
            {
                if (root.TryGetProperty("mediaType", out var mt) && mt.ValueKind == JsonValueKind.String)
                {
                    return mt.GetString()!;
                }
                if (root.TryGetProperty("schemaVersion", out var v) && v.TryGetInt32(out int version) && version == 1)
                {
                    return DockerSchema1;
                }
                if (root.TryGetProperty("manifests", out _))
                {
                    return MediaTypes.OciIndex;
                }
                if (root.TryGetProperty("config", out _))
                {
                    return MediaTypes.OciManifest;
                }
            }
        }
        catch (JsonException)
        {
        }
        return contentType ?? "";
    }
}
