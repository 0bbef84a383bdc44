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
