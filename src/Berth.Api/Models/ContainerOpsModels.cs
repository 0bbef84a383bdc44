using System.Text.Json.Serialization;
using Berth.Api.Models;

namespace Berth.Api.Models
{
    /// <summary>--blkio-weight-device on the wire.</summary>
    public sealed record WeightDeviceWire(string? Path, ushort? Weight);

    /// <summary>--device-read-bps and friends on the wire.</summary>
    public sealed record ThrottleDeviceWire(string? Path, ulong? Rate);

    /// <summary>State.Health in inspect (moby types.Health).</summary>
    public sealed record HealthWire(string Status, int FailingStreak, IReadOnlyList<HealthLogWire> Log);

    public sealed record HealthLogWire(string Start, string End, int ExitCode, string Output);

    /// <summary>POST /containers/{id}/update answer: null Warnings when there are none, as dockerd.</summary>
    public sealed record ContainerUpdateResponseWire(IReadOnlyList<string>? Warnings);

    public sealed record ContainerTopResponseWire(IReadOnlyList<string> Titles, IReadOnlyList<IReadOnlyList<string>> Processes);

    public sealed record ContainerPruneResponseWire(IReadOnlyList<string>? ContainersDeleted, long SpaceReclaimed);
}

namespace Berth.Api.Http
{
    /// <summary>Serializers for update, top and prune (stats are written by hand: StatsJsonWriter).</summary>
    [JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
    [JsonSerializable(typeof(HostConfigWire))]
    [JsonSerializable(typeof(ContainerUpdateResponseWire))]
    [JsonSerializable(typeof(ContainerTopResponseWire))]
    [JsonSerializable(typeof(ContainerPruneResponseWire))]
    public sealed partial class ContainerOpsJsonContext : JsonSerializerContext;
}
