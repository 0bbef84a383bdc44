using System.Text.Json.Serialization;
using Berth.Api.Models;

namespace Berth.Api.Models
{
    /// <summary>GET /images/json item (moby api/types/image.Summary), fields in moby's order.</summary>
    public sealed record ImageSummaryWire(
        int Containers,
        long Created,
        string Id,
        IReadOnlyDictionary<string, string>? Labels,
        string ParentId,
        IReadOnlyList<string> RepoDigests,
        IReadOnlyList<string> RepoTags,
        long SharedSize,
        long Size)
    {
        /// <summary>Removed in API 1.44; older clients get Size here.</summary>
        [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
        public long? VirtualSize { get; init; }
    }

    /// <summary>GET /images/{name}/json (moby types.ImageInspect as of API 1.44).</summary>
    public sealed record ImageInspectWire
    {
        public required string Id { get; init; }
        public required IReadOnlyList<string> RepoTags { get; init; }
        public required IReadOnlyList<string> RepoDigests { get; init; }
        public string Parent { get; init; } = "";
        public string Comment { get; init; } = "";
        [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Created { get; init; }
        [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Container { get; init; }
        [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public ContainerConfigWire? ContainerConfig { get; init; }
        public string DockerVersion { get; init; } = "";
        public string Author { get; init; } = "";
        public ContainerConfigWire? Config { get; init; }
        public string Architecture { get; init; } = "";
        [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Variant { get; init; }
        public string Os { get; init; } = "";
        [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? OsVersion { get; init; }
        public long Size { get; init; }
        [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public long? VirtualSize { get; init; }
        public required GraphDriverWire GraphDriver { get; init; }
        public required RootFsWire RootFS { get; init; }
        public required ImageMetadataWire Metadata { get; init; }
    }

    public sealed record GraphDriverWire(IReadOnlyDictionary<string, string>? Data, string Name);

    public sealed record RootFsWire(string Type, [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<string>? Layers);

    /// <summary>LastTagTime is a Go time.Time: never omitted, "0001-01-01T00:00:00Z" when unset.</summary>
    public sealed record ImageMetadataWire(string LastTagTime);

    /// <summary>moby container.Config as images carry it; omitempty fields are omitted when null.</summary>
    public sealed record ContainerConfigWire
    {
        public string Hostname { get; init; } = "";
        public string Domainname { get; init; } = "";
        public string User { get; init; } = "";
        public bool AttachStdin { get; init; }
        public bool AttachStdout { get; init; }
        public bool AttachStderr { get; init; }
        [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public IReadOnlyDictionary<string, Engine.Images.EmptyObject>? ExposedPorts { get; init; }
        public bool Tty { get; init; }
        public bool OpenStdin { get; init; }
        public bool StdinOnce { get; init; }
        public IReadOnlyList<string>? Env { get; init; }
        public IReadOnlyList<string>? Cmd { get; init; }
        [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public HealthConfigWire? Healthcheck { get; init; }
        [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public bool? ArgsEscaped { get; init; }
        public string Image { get; init; } = "";
        public IReadOnlyDictionary<string, Engine.Images.EmptyObject>? Volumes { get; init; }
        public string WorkingDir { get; init; } = "";
        public IReadOnlyList<string>? Entrypoint { get; init; }
        public IReadOnlyList<string>? OnBuild { get; init; }
        public IReadOnlyDictionary<string, string>? Labels { get; init; }
        [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? StopSignal { get; init; }
        [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public IReadOnlyList<string>? Shell { get; init; }
    }

    public sealed record HealthConfigWire
    {
        [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public IReadOnlyList<string>? Test { get; init; }
        [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public long? Interval { get; init; }
        [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public long? Timeout { get; init; }
        [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public long? StartPeriod { get; init; }
        [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public long? StartInterval { get; init; }
        [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public int? Retries { get; init; }
    }

    /// <summary>GET /images/{name}/history item.</summary>
    public sealed record HistoryItemWire(string Id, long Created, string CreatedBy, IReadOnlyList<string>? Tags, long Size, string Comment);

    /// <summary>DELETE /images/{name} item: exactly one of the two.</summary>
    public sealed record ImageDeleteItemWire(
        [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Untagged,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Deleted);

    public sealed record ImagePruneWire(IReadOnlyList<ImageDeleteItemWire>? ImagesDeleted, long SpaceReclaimed);

    /// <summary>The progress line POST /images/create writes (jsonmessage with only a status).</summary>
    public sealed record StatusMessageWire([property: JsonPropertyName("status")] string Status);

    /// <summary>GET /system/df. Containers and volumes are filled by their subsystems once they exist.</summary>
    public sealed record DiskUsageWire(
        long LayersSize,
        IReadOnlyList<ImageSummaryWire>? Images,
        IReadOnlyList<ContainerSummaryWire>? Containers,
        IReadOnlyList<VolumeWire>? Volumes,
        IReadOnlyList<BuildCacheWire>? BuildCache);

    /// <summary>
    /// A build-cache record of GET /system/df (moby types.BuildCache). The classic builder's cache
    /// points at images, so a record's bytes are those of its image's layers, counted under Images:
    /// Size is 0 and Shared is true.
    /// </summary>
    public sealed record BuildCacheWire(
        string ID,
        string Parent,
        string Type,
        string Description,
        bool InUse,
        bool Shared,
        long Size,
        string CreatedAt,
        string LastUsedAt,
        int UsageCount);
}

namespace Berth.Api.Http
{
    /// <summary>Serializers for the image endpoints and /system/df.</summary>
    [JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
    [JsonSerializable(typeof(IReadOnlyList<ImageSummaryWire>))]
    [JsonSerializable(typeof(ImageInspectWire))]
    [JsonSerializable(typeof(IReadOnlyList<HistoryItemWire>))]
    [JsonSerializable(typeof(IReadOnlyList<ImageDeleteItemWire>))]
    [JsonSerializable(typeof(ImagePruneWire))]
    [JsonSerializable(typeof(StatusMessageWire))]
    [JsonSerializable(typeof(DiskUsageWire))]
    public sealed partial class ImagesJsonContext : JsonSerializerContext;
}
