using System.Text.Json.Serialization;
using Berth.Api.Models;

namespace Berth.Api.Models
{
    /// <summary>POST /containers/{id}/exec body (moby types.ExecConfig / container.ExecOptions).</summary>
    public sealed record ExecCreateWire
    {
        public string? User { get; init; }
        public bool Privileged { get; init; }
        public bool Tty { get; init; }
        /// <summary>[height, width] (API 1.42+).</summary>
        public uint[]? ConsoleSize { get; init; }
        public bool AttachStdin { get; init; }
        public bool AttachStderr { get; init; }
        public bool AttachStdout { get; init; }
        /// <summary>Deprecated and ignored by dockerd's create.</summary>
        public bool Detach { get; init; }
        public string? DetachKeys { get; init; }
        public List<string>? Env { get; init; }
        public string? WorkingDir { get; init; }
        public List<string>? Cmd { get; init; }
    }

    public sealed record ExecCreateResponseWire(string Id);

    /// <summary>POST /exec/{id}/start body (moby types.ExecStartCheck).</summary>
    public sealed record ExecStartWire
    {
        public bool Detach { get; init; }
        public bool Tty { get; init; }
        public uint[]? ConsoleSize { get; init; }
    }

    /// <summary>GET /exec/{id}/json (moby backend.ExecInspect), fields in Go's order.</summary>
    public sealed record ExecInspectWire
    {
        public required string ID { get; init; }
        public bool Running { get; init; }
        public int? ExitCode { get; init; }
        public required ExecProcessConfigWire ProcessConfig { get; init; }
        public bool OpenStdin { get; init; }
        public bool OpenStderr { get; init; }
        public bool OpenStdout { get; init; }
        public bool CanRemove { get; init; }
        public required string ContainerID { get; init; }
        /// <summary>Go's []byte: base64.</summary>
        public required string DetachKeys { get; init; }
        public int Pid { get; init; }
    }

    /// <summary>moby backend.ExecProcessConfig: lower-case names, user omitted when empty.</summary>
    public sealed record ExecProcessConfigWire
    {
        [JsonPropertyName("tty")] public bool Tty { get; init; }
        [JsonPropertyName("entrypoint")] public required string Entrypoint { get; init; }
        [JsonPropertyName("arguments")] public required IReadOnlyList<string> Arguments { get; init; }
        [JsonPropertyName("privileged")] public bool? Privileged { get; init; }
        [JsonPropertyName("user"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? User { get; init; }
    }
}

namespace Berth.Api.Http
{
    /// <summary>Serializers for the exec endpoints.</summary>
    [JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
    [JsonSerializable(typeof(ExecCreateWire))]
    [JsonSerializable(typeof(ExecCreateResponseWire))]
    [JsonSerializable(typeof(ExecStartWire))]
    [JsonSerializable(typeof(ExecInspectWire))]
    public sealed partial class ExecJsonContext : JsonSerializerContext;
}
