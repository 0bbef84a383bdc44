using System.Text.Json.Serialization;

namespace Berth.Storage.Volumes;

/// <summary>
/// <c>&lt;data-root&gt;/volumes/&lt;name&gt;/metadata.json</c>: what dockerd keeps in
/// volumes/metadata.db (name, driver, labels, options) and opts.json, plus the creation time and
/// the users, in one file per volume so each write is one atomic rename.
/// </summary>
internal sealed record VolumeMetadataFile(
    int Version,
    string Name,
    string Driver,
    DateTimeOffset CreatedAt,
    Dictionary<string, string>? Labels,
    Dictionary<string, string>? Options,
    List<string> Users);

[JsonSourceGenerationOptions(WriteIndented = true)]
[JsonSerializable(typeof(VolumeMetadataFile))]
internal sealed partial class VolumeMetadataJsonContext : JsonSerializerContext;
