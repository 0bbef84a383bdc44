namespace Berth.Engine.Volumes;

/// <summary>What the API and other services see of a volume (moby api/types/volume.Volume).</summary>
public sealed record VolumeInfo(
    string Name,
    string Driver,
    string Mountpoint,
    DateTimeOffset CreatedAt,
    IReadOnlyDictionary<string, string>? Labels,
    IReadOnlyDictionary<string, string>? Options,
    string Scope);

/// <summary>Per-volume disk usage for <c>system df</c> (moby volumetypes.UsageData).</summary>
public sealed record VolumeUsage(VolumeInfo Volume, long Size, long RefCount);

public sealed record VolumePruneReport(IReadOnlyList<string> VolumesDeleted, ulong SpaceReclaimed);

/// <summary>
/// POST /volumes/create. An empty name makes an anonymous volume (64-hex name, label
/// com.docker.volume.anonymous). <see cref="Reference"/> registers a user in the same step, so a
/// prune cannot remove a volume between a container's create and its first Acquire.
/// </summary>
public sealed record VolumeCreateRequest(
    string? Name = null,
    string? Driver = null,
    IReadOnlyDictionary<string, string>? DriverOpts = null,
    IReadOnlyDictionary<string, string>? Labels = null,
    string? Reference = null);

/// <summary>
/// The durable part of a volume: what the store writes to disk. <see cref="Users"/> are the
/// references (container ids) that keep it "in use" across restarts.
/// </summary>
public sealed record VolumeRecord(
    string Name,
    string Driver,
    DateTimeOffset CreatedAt,
    IReadOnlyDictionary<string, string>? Labels,
    IReadOnlyDictionary<string, string>? Options,
    IReadOnlyList<string> Users);
