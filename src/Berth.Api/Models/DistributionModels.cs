using System.Text.Json.Serialization;

namespace Berth.Api.Models;

/// <summary>moby jsonmessage.JSONMessage as pull and push write it, fields in Go's order.</summary>
public sealed record ProgressMessageWire
{
    [JsonPropertyName("status")] public string? Status { get; init; }
    [JsonPropertyName("progressDetail")] public ProgressDetailWire? ProgressDetail { get; init; }
    [JsonPropertyName("progress")] public string? Progress { get; init; }
    [JsonPropertyName("id")] public string? Id { get; init; }
    [JsonPropertyName("errorDetail")] public ErrorDetailWire? ErrorDetail { get; init; }
    [JsonPropertyName("error")] public string? Error { get; init; }
    [JsonPropertyName("aux")] public PushResultWire? Aux { get; init; }
}

/// <summary>jsonmessage.JSONProgress: both counts are omitempty, so an Update is <c>{}</c>.</summary>
public sealed record ProgressDetailWire(
    [property: JsonPropertyName("current"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] long Current,
    [property: JsonPropertyName("total"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] long Total);

public sealed record ErrorDetailWire([property: JsonPropertyName("message")] string Message);

public sealed record PushResultWire(string Tag, string Digest, int Size);

/// <summary>registry.AuthenticateOKBody.</summary>
public sealed record AuthResponseWire(string IdentityToken, string Status);

/// <summary>registry.DistributionInspect.</summary>
public sealed record DistributionInspectWire(DescriptorWire Descriptor, IReadOnlyList<PlatformWire> Platforms);

public sealed record DescriptorWire(
    [property: JsonPropertyName("mediaType")] string MediaType,
    [property: JsonPropertyName("digest")] string Digest,
    [property: JsonPropertyName("size")] long Size);

public sealed record PlatformWire(
    [property: JsonPropertyName("architecture")] string Architecture,
    [property: JsonPropertyName("os")] string Os,
    [property: JsonPropertyName("variant"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Variant);

/// <summary>registry.SearchResult.</summary>
public sealed record SearchResultWire(
    [property: JsonPropertyName("star_count")] int StarCount,
    [property: JsonPropertyName("is_official")] bool IsOfficial,
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("is_automated")] bool IsAutomated,
    [property: JsonPropertyName("description")] string Description);

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ProgressMessageWire))]
[JsonSerializable(typeof(AuthResponseWire))]
[JsonSerializable(typeof(DistributionInspectWire))]
[JsonSerializable(typeof(IReadOnlyList<SearchResultWire>))]
public sealed partial class DistributionJsonContext : JsonSerializerContext;
