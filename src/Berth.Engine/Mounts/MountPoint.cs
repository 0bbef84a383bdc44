namespace Berth.Engine.Mounts;

/// <summary>Mount types of HostConfig.Mounts and inspect's Mounts (moby api/types/mount).</summary>
public static class MountTypes
{
    public const string Bind = "bind";
    public const string Volume = "volume";
    public const string Tmpfs = "tmpfs";
}

/// <summary>
/// One entry of HostConfig.Mounts (<c>--mount</c>) as the engine sees it. Optional sections
/// are null when the client left them out (dockerd rejects some of them per type).
/// </summary>
public sealed record MountSettings
{
    public string Type { get; init; } = "";
    public string Source { get; init; } = "";
    public string Target { get; init; } = "";
    public bool ReadOnly { get; init; }
    public string Consistency { get; init; } = "";
    public BindMountSettings? BindOptions { get; init; }
    public VolumeMountSettings? VolumeOptions { get; init; }
    public TmpfsMountSettings? TmpfsOptions { get; init; }
}

public sealed record BindMountSettings(string Propagation = "", bool NonRecursive = false, bool CreateMountpoint = false);

public sealed record VolumeMountSettings(
    bool NoCopy = false,
    IReadOnlyDictionary<string, string>? Labels = null,
    string? DriverName = null,
    IReadOnlyDictionary<string, string>? DriverOptions = null,
    string Subpath = "");

/// <summary>SizeBytes 0 and Mode 0 mean "not set", as in the API.</summary>
public sealed record TmpfsMountSettings(long SizeBytes = 0, uint Mode = 0);

/// <summary>
/// A container's resolved mount (moby volume/mounts.MountPoint), persisted with the container
/// and shown by inspect. <see cref="Source"/> is the host path (a volume's _data for volumes).
/// </summary>
public sealed record MountPoint
{
    public required string Type { get; init; }
    /// <summary>Volume name; empty for binds and tmpfs.</summary>
    public string Name { get; init; } = "";
    public string Source { get; init; } = "";
    public required string Destination { get; init; }
    public string Driver { get; init; } = "";
    /// <summary>The mode text the client gave with -v ("ro,z"), "" otherwise (dockerd shows "z" for local volumes).</summary>
    public string Mode { get; init; } = "";
    public bool RW { get; init; } = true;
    public string Propagation { get; init; } = "";
    /// <summary>Copy the image's content at the destination into the volume when it is empty (only at create).</summary>
    public bool CopyData { get; init; }
    /// <summary>True when the client named no source (anonymous volume): `rm -v` removes it.</summary>
    public bool AnonymousSpec { get; init; }
    /// <summary>tmpfs mount data ("size=1m,mode=755"), for --mount type=tmpfs.</summary>
    public string TmpfsData { get; init; } = "";
    /// <summary>Bind source must exist already (false: created as a directory, as -v does).</summary>
    public bool SkipMountpointCreation { get; init; }
    /// <summary>A bind without the mounts below its source (--mount bind-nonrecursive / bind-recursive=disabled).</summary>
    public bool NonRecursive { get; init; }
}

/// <summary>What the runtime puts into the OCI spec for one mount point.</summary>
public sealed record RuntimeMount(string Type, string Source, string Destination, IReadOnlyList<string> Options);
