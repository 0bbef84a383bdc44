using System.Text.Json.Serialization;

namespace Berth.Api.Models;

/// <summary>The Engine API's error body.</summary>
public sealed record ErrorResponse([property: JsonPropertyName("message")] string Message);
