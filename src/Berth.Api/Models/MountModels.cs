using Berth.Engine.Mounts;

namespace Berth.Api.Models;

public sealed record MountBindOptionsWire(string? Propagation, bool? NonRecursive, bool? CreateMountpoint);

public sealed record MountDriverWire(string? Name, Dictionary<string, string>? Options);

public sealed record MountVolumeOptionsWire(bool? NoCopy, Dictionary<string, string>? Labels, MountDriverWire? DriverConfig, string? Subpath);

public sealed record MountTmpfsOptionsWire(long? SizeBytes, uint? Mode);

/// <summary>One HostConfig.Mounts entry (moby api/types/mount.Mount).</summary>
public sealed record MountWire
{
    public string? Type { get; init; }
    public string? Source { get; init; }
    public string? Target { get; init; }
    public bool? ReadOnly { get; init; }
    public string? Consistency { get; init; }
    public MountBindOptionsWire? BindOptions { get; init; }
    public MountVolumeOptionsWire? VolumeOptions { get; init; }
    public MountTmpfsOptionsWire? TmpfsOptions { get; init; }
}

/// <summary>An entry of inspect's and ps's Mounts (moby types.MountPoint); Name and Driver only for volumes.</summary>
public sealed record MountPointWire
{
    public required string Type { get; init; }
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingDefault)]
    public string? Name { get; init; }
    public required string Source { get; init; }
    public required string Destination { get; init; }
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingDefault)]
    public string? Driver { get; init; }
    public required string Mode { get; init; }
    public bool RW { get; init; }
    public required string Propagation { get; init; }
}

public static class MountWireMapping
{
    public static MountSettings ToEngine(MountWire m) => new()
    {
        Type = m.Type ?? "",
        Source = m.Source ?? "",
        Target = m.Target ?? "",
        ReadOnly = m.ReadOnly ?? false,
        Consistency = m.Consistency ?? "",
        BindOptions = m.BindOptions is { } b ? new BindMountSettings(b.Propagation ?? "", b.NonRecursive ?? false, b.CreateMountpoint ?? false) : null,
        VolumeOptions = m.VolumeOptions is { } v
            ? new VolumeMountSettings(v.NoCopy ?? false, v.Labels, v.DriverConfig?.Name is { Length: > 0 } n ? n : null, v.DriverConfig?.Options, v.Subpath ?? "")
            : null,
        TmpfsOptions = m.TmpfsOptions is { } t ? new TmpfsMountSettings(t.SizeBytes ?? 0, t.Mode ?? 0) : null,
    };

    public static MountWire ToWire(MountSettings m) => new()
    {
        Type = m.Type,
        Source = m.Source.Length == 0 ? null : m.Source,
        Target = m.Target,
        ReadOnly = m.ReadOnly ? true : null,
        Consistency = m.Consistency.Length == 0 ? null : m.Consistency,
        BindOptions = m.BindOptions is { } b ? new MountBindOptionsWire(b.Propagation.Length == 0 ? null : b.Propagation, b.NonRecursive ? true : null, b.CreateMountpoint ? true : null) : null,
        VolumeOptions = m.VolumeOptions is { } v
            ? new MountVolumeOptionsWire(v.NoCopy ? true : null, v.Labels?.ToDictionary(), v.DriverName is null && v.DriverOptions is null ? null : new MountDriverWire(v.DriverName, v.DriverOptions?.ToDictionary()), v.Subpath.Length == 0 ? null : v.Subpath)
            : null,
        TmpfsOptions = m.TmpfsOptions is { } t ? new MountTmpfsOptionsWire(t.SizeBytes == 0 ? null : t.SizeBytes, t.Mode == 0 ? null : t.Mode) : null,
    };

    public static MountPointWire ToWire(MountPoint m) => new()
    {
        Type = m.Type,
        Name = m.Type == MountTypes.Volume ? m.Name : null,
        Source = m.Source,
        Destination = m.Destination,
        Driver = m.Type == MountTypes.Volume ? m.Driver : null,
        Mode = m.Mode,
        RW = m.RW,
        Propagation = m.Propagation,
    };
}
