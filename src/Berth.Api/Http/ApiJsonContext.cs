using System.Text.Json.Serialization;
using Berth.Api.Models;

namespace Berth.Api.Http;

/// <summary>
/// Source-generated serializers for every wire type (no reflection: NativeAOT). Property names
/// are exactly as declared (the Engine API is PascalCase) unless a type says otherwise. Each
/// models file adds its types with its own partial declaration of this class.
/// </summary>
[JsonSourceGenerationOptions(
    DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    UseStringEnumConverter = true)]
[JsonSerializable(typeof(ErrorResponse))]
public sealed partial class ApiJsonContext : JsonSerializerContext;
