using System.Text.Json;
using System.Text.Json.Serialization;
using Berth.Api.Models;

namespace Berth.Api.Models
{
    /// <summary>volume.Volume, fields in Go's declaration order (dockerd's output order).</summary>
    public sealed record VolumeWire
    {
        [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
        public string? CreatedAt { get; init; }
        public required string Driver { get; init; }
        public IReadOnlyDictionary<string, string>? Labels { get; init; }
        public required string Mountpoint { get; init; }
        public required string Name { get; init; }
        public IReadOnlyDictionary<string, string>? Options { get; init; }
        public required string Scope { get; init; }

        [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
        public VolumeUsageWire? UsageData { get; init; }
    }

    public sealed record VolumeUsageWire(long Size, long RefCount);

    /// <summary>POST /volumes/create body (volume.CreateOptions).</summary>
    public sealed record VolumeCreateBody
    {
        public string? Name { get; init; }
        public string? Driver { get; init; }
        public Dictionary<string, string>? DriverOpts { get; init; }
        public Dictionary<string, string>? Labels { get; init; }

        /// <summary>Swarm cluster volumes (API 1.42+): only its presence matters here.</summary>
        public JsonElement? ClusterVolumeSpec { get; init; }
    }

    /// <summary>GET /volumes (volume.ListResponse): Warnings is null when there are none, as dockerd sends it.</summary>
    public sealed record VolumeListResponse(IReadOnlyList<VolumeWire> Volumes, IReadOnlyList<string>? Warnings);

    public sealed record VolumePruneResponse(IReadOnlyList<string> VolumesDeleted, ulong SpaceReclaimed);
}

namespace Berth.Api.Http
{
    [JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
    [JsonSerializable(typeof(VolumeWire))]
    [JsonSerializable(typeof(VolumeCreateBody))]
    [JsonSerializable(typeof(VolumeListResponse))]
    [JsonSerializable(typeof(VolumePruneResponse))]
    public sealed partial class VolumesJsonContext : JsonSerializerContext;
}
