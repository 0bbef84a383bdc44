using System.Text.Json.Serialization;

namespace Berth.Engine.Images;

/// <summary>
/// An image config as Docker (application/vnd.docker.container.image.v1+json) and OCI
/// (application/vnd.oci.image.config.v1+json) write it. Parsed for reading only: the stored bytes
/// are the image's identity (the id is their sha256), so an existing config is never re-serialised.
/// </summary>
public sealed record ImageConfig
{
    [JsonPropertyName("architecture")] public string? Architecture { get; init; }
    [JsonPropertyName("os")] public string? Os { get; init; }
    [JsonPropertyName("os.version")] public string? OsVersion { get; init; }
    [JsonPropertyName("variant")] public string? Variant { get; init; }
    [JsonPropertyName("created")] public DateTimeOffset? Created { get; init; }
    [JsonPropertyName("author")] public string? Author { get; init; }
    [JsonPropertyName("comment")] public string? Comment { get; init; }
    [JsonPropertyName("docker_version")] public string? DockerVersion { get; init; }
    [JsonPropertyName("container")] public string? Container { get; init; }
    [JsonPropertyName("parent")] public string? Parent { get; init; }
    [JsonPropertyName("config")] public ContainerConfig? Config { get; init; }
    [JsonPropertyName("container_config")] public ContainerConfig? ContainerConfig { get; init; }
    [JsonPropertyName("rootfs")] public RootFs? RootFs { get; init; }
    [JsonPropertyName("history")] public IReadOnlyList<HistoryEntry>? History { get; init; }

    /// <summary>The layer diff ids, bottom first (empty for a config without layers).</summary>
    [JsonIgnore]
    public IReadOnlyList<Digest> DiffIds =>
        RootFs?.DiffIds?.Select(Digest.Parse).ToArray() ?? [];
}

/// <summary>The rootfs section: type "layers" and the uncompressed layer digests.</summary>
public sealed record RootFs
{
    [JsonPropertyName("type")] public string Type { get; init; } = "layers";
    [JsonPropertyName("diff_ids")] public IReadOnlyList<string>? DiffIds { get; init; }
}

/// <summary>One history entry; <see cref="EmptyLayer"/> entries have no layer in rootfs.</summary>
public sealed record HistoryEntry
{
    [JsonPropertyName("created")] public DateTimeOffset? Created { get; init; }
    [JsonPropertyName("created_by")] public string? CreatedBy { get; init; }
    [JsonPropertyName("author")] public string? Author { get; init; }
    [JsonPropertyName("comment")] public string? Comment { get; init; }
    [JsonPropertyName("empty_layer")] public bool? EmptyLayer { get; init; }
}

/// <summary>
/// The run configuration of an image: the OCI fields plus the rest of Docker's container.Config,
/// which Docker-built and imported images carry. Property names are Docker's PascalCase.
/// </summary>
public sealed record ContainerConfig
{
    public string? Hostname { get; init; }
    public string? Domainname { get; init; }
    public string? User { get; init; }
    public bool? AttachStdin { get; init; }
    public bool? AttachStdout { get; init; }
    public bool? AttachStderr { get; init; }
    public IReadOnlyDictionary<string, EmptyObject>? ExposedPorts { get; init; }
    public bool? Tty { get; init; }
    public bool? OpenStdin { get; init; }
    public bool? StdinOnce { get; init; }
    public IReadOnlyList<string>? Env { get; init; }
    public IReadOnlyList<string>? Cmd { get; init; }
    public HealthConfig? Healthcheck { get; init; }
    public bool? ArgsEscaped { get; init; }
    public string? Image { get; init; }
    public IReadOnlyDictionary<string, EmptyObject>? Volumes { get; init; }
    public string? WorkingDir { get; init; }
    public IReadOnlyList<string>? Entrypoint { get; init; }
    public IReadOnlyList<string>? OnBuild { get; init; }
    public IReadOnlyDictionary<string, string>? Labels { get; init; }
    public string? StopSignal { get; init; }
    public IReadOnlyList<string>? Shell { get; init; }
}

/// <summary>A healthcheck; durations are nanoseconds as Go's time.Duration marshals them.</summary>
public sealed record HealthConfig
{
    public IReadOnlyList<string>? Test { get; init; }
    public long? Interval { get; init; }
    public long? Timeout { get; init; }
    public long? StartPeriod { get; init; }
    public long? StartInterval { get; init; }
    public int? Retries { get; init; }
}

/// <summary>The empty struct values of the ExposedPorts and Volumes sets: <c>{}</c>.</summary>
public sealed record EmptyObject
{
    public static EmptyObject Instance { get; } = new();
}

/// <summary>Source-generated (AOT) reader for image configs; tolerant of unknown fields and comments.</summary>
[JsonSourceGenerationOptions(
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    ReadCommentHandling = System.Text.Json.JsonCommentHandling.Skip,
    AllowTrailingCommas = true)]
[JsonSerializable(typeof(ImageConfig))]
public sealed partial class ImageConfigJsonContext : JsonSerializerContext;
