using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Berth.Runtime.Spec;

/// <summary>Source-generated (AOT-safe) serialisation of config.json.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    WriteIndented = true)]
[JsonSerializable(typeof(OciSpec))]
internal sealed partial class OciSpecJsonContext : JsonSerializerContext;

public static class OciSpecJson
{
    /// <summary>Deterministic UTF-8 JSON: declaration order, sorted maps, no nulls.</summary>
    public static byte[] Serialize(OciSpec spec) =>
        JsonSerializer.SerializeToUtf8Bytes(spec, OciSpecJsonContext.Default.OciSpec);

    public static string SerializeToString(OciSpec spec) => Encoding.UTF8.GetString(Serialize(spec));

    public static OciSpec? Deserialize(ReadOnlySpan<byte> json) =>
        JsonSerializer.Deserialize(json, OciSpecJsonContext.Default.OciSpec);
}
