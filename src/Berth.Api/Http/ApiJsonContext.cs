using System.Text.Json.Serialization;
using Berth.Api.Models;

namespace Berth.Api.Http;

/// <summary>
/// Source-generated serializers for every wire type (no reflection: NativeAOT). Property names
/// are exactly as declared (the Engine API is PascalCase) unless a type says otherwise. Areas
/// with many types keep their own context beside their models (the generator cannot merge
/// partial declarations of one context).
/// </summary>
[JsonSourceGenerationOptions(
    DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    UseStringEnumConverter = true)]
[JsonSerializable(typeof(ErrorResponse))]
public sealed partial class ApiJsonContext : JsonSerializerContext;

/// <summary>
/// The context instances routers use. Go's encoder writes <c>\"</c> where System.Text.Json's
/// default writes <c>\u0022</c>; the relaxed encoder keeps error texts readable in raw output
/// (the API is never embedded in HTML, which is what the stricter default guards against).
/// </summary>
public static class ApiJson
{
    public static readonly global::System.Text.Encodings.Web.JavaScriptEncoder Encoder =
        global::System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping;

    public static ApiJsonContext Api { get; } = new(Options());

    public static SystemJsonContext System { get; } = new(Options());

    /// <summary>Case-insensitive reads: Go's decoder matches field names that way and clients rely on it.</summary>
    public static NetworksJsonContext Networks { get; } = new(CaseInsensitive(Options()));

    private static global::System.Text.Json.JsonSerializerOptions CaseInsensitive(global::System.Text.Json.JsonSerializerOptions options)
    {
        options.PropertyNameCaseInsensitive = true;
        return options;
    }
    public static VolumesJsonContext Volumes { get; } = new(Options());
    public static ImagesJsonContext Images { get; } = new(Options());

    public static ContainersJsonContext Containers { get; } = new(Options());

    public static ContainerOpsJsonContext ContainerOps { get; } = new(Options());
    public static ExecJsonContext Exec { get; } = new(CaseInsensitive(Options()));
    public static ArchiveJsonContext Archive { get; } = new(Options());

    /// <summary>Fresh options per context: a context takes ownership of the options it is given.</summary>
    public static global::System.Text.Json.JsonSerializerOptions Options() => new()
    {
        Encoder = Encoder,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };
}
