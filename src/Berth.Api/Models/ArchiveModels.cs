using System.Text.Json.Serialization;
using Berth.Api.Models;

namespace Berth.Api.Models
{
    /// <summary>moby container.PathStat as the stat header carries it (lower-case names, mode as Go's FileMode number).</summary>
    public sealed record PathStatWire(
        [property: JsonPropertyName("name")] string Name,
        [property: JsonPropertyName("size")] long Size,
        [property: JsonPropertyName("mode")] uint Mode,
        [property: JsonPropertyName("mtime")] string Mtime,
        [property: JsonPropertyName("linkTarget")] string LinkTarget);

    public sealed record ChangeWire(string Path, int Kind);

    public sealed record CommitResponseWire(string Id);
}

namespace Berth.Api.Http
{
    [JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
    [JsonSerializable(typeof(PathStatWire))]
    [JsonSerializable(typeof(IReadOnlyList<ChangeWire>))]
    [JsonSerializable(typeof(CommitResponseWire))]
    public sealed partial class ArchiveJsonContext : JsonSerializerContext;
}
