using System.Text.Json.Serialization;

namespace Berth.Engine.Images.Archive;

/// <summary>
/// One entry of a docker-archive's manifest.json (moby tarexport manifestItem). Paths are relative
/// to the archive root: "&lt;id&gt;.json" / "&lt;v1id&gt;/layer.tar" (dockerd ≤ 24) or "blobs/sha256/…" (25+).
/// </summary>
public sealed record DockerManifestItem
{
    public string? Config { get; init; }

    // Go marshals a nil slice as null: untagged images are saved with "RepoTags":null.
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public IReadOnlyList<string>? RepoTags { get; init; }

    public IReadOnlyList<string>? Layers { get; init; }

    public string? Parent { get; init; }
}

/// <summary>An OCI content descriptor (also the shape of Docker's schema2 descriptors).</summary>
public sealed record OciDescriptor
{
    [JsonPropertyName("mediaType")] public string? MediaType { get; init; }
    [JsonPropertyName("digest")] public string? Digest { get; init; }
    [JsonPropertyName("size")] public long Size { get; init; }
    [JsonPropertyName("annotations")] public IReadOnlyDictionary<string, string>? Annotations { get; init; }
    [JsonPropertyName("platform")] public OciPlatform? Platform { get; init; }
}

public sealed record OciPlatform
{
    [JsonPropertyName("architecture")] public string? Architecture { get; init; }
    [JsonPropertyName("os")] public string? Os { get; init; }
    [JsonPropertyName("variant")] public string? Variant { get; init; }
}

/// <summary>index.json and nested image indexes (Docker manifest lists have the same shape).</summary>
public sealed record OciIndex
{
    [JsonPropertyName("schemaVersion")] public int SchemaVersion { get; init; }
    [JsonPropertyName("mediaType")] public string? MediaType { get; init; }
    [JsonPropertyName("manifests")] public IReadOnlyList<OciDescriptor>? Manifests { get; init; }
}

/// <summary>An image manifest (OCI or Docker schema2: same fields).</summary>
public sealed record OciManifest
{
    [JsonPropertyName("schemaVersion")] public int SchemaVersion { get; init; }
    [JsonPropertyName("mediaType")] public string? MediaType { get; init; }
    [JsonPropertyName("config")] public OciDescriptor? Config { get; init; }
    [JsonPropertyName("layers")] public IReadOnlyList<OciDescriptor>? Layers { get; init; }
}

public static class MediaTypes
{
    public const string OciIndex = "application/vnd.oci.image.index.v1+json";
    public const string OciManifest = "application/vnd.oci.image.manifest.v1+json";
    public const string OciConfig = "application/vnd.oci.image.config.v1+json";
    public const string OciLayer = "application/vnd.oci.image.layer.v1.tar";
    public const string DockerManifestList = "application/vnd.docker.distribution.manifest.list.v2+json";
    public const string DockerManifest = "application/vnd.docker.distribution.manifest.v2+json";

    /// <summary>containerd's images.AnnotationImageName: the full reference the manifest was saved as.</summary>
    public const string ContainerdImageName = "io.containerd.image.name";

    /// <summary>ocispec.AnnotationRefName: the tag (Docker) or a full reference (some tools).</summary>
    public const string OciRefName = "org.opencontainers.image.ref.name";

    public static bool IsIndex(string? mediaType) => mediaType is OciIndex or DockerManifestList;

    public static bool IsManifest(string? mediaType) => mediaType is OciManifest or DockerManifest;
}

/// <summary>Readers tolerate unknown fields; writers leave nulls out (except RepoTags, as Go does).</summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(IReadOnlyList<DockerManifestItem>))]
[JsonSerializable(typeof(OciIndex))]
[JsonSerializable(typeof(OciManifest))]
[JsonSerializable(typeof(Dictionary<string, Dictionary<string, string>>))]
public sealed partial class ArchiveJsonContext : JsonSerializerContext;

/// <summary>The context instance to use: relaxed escaping so media types keep their '+' (as Go writes them).</summary>
public static class ArchiveJson
{
    public static ArchiveJsonContext Context { get; } = new(new System.Text.Json.JsonSerializerOptions
    {
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        AllowTrailingCommas = true,
    });
}
