namespace Berth.Engine.Volumes;

/// <summary>
/// Where local volumes live on disk: <c>&lt;data-root&gt;/volumes/&lt;name&gt;/_data</c> plus the
/// metadata beside it. Implementations make every write crash-safe (a volume is either fully
/// there or not at all after kill -9). Callers serialise access.
/// </summary>
public interface IVolumeStore
{
    /// <summary>All volumes found at start, finishing or discarding half-done creates and removes.</summary>
    IReadOnlyList<VolumeRecord> LoadAll();

    /// <summary>The <c>_data</c> directory: the Mountpoint, and the target of option mounts.</summary>
    string DataPath(string name);

    void Create(VolumeRecord record);

    /// <summary>Rewrites the metadata (users changed).</summary>
    void Update(VolumeRecord record);

    /// <summary>Deletes the volume's directory tree; refuses while anything is mounted beneath it.</summary>
    void Delete(string name);

    /// <summary>Bytes used under <c>_data</c> (no symlinks followed, no other filesystems crossed).</summary>
    long DataSize(string name, CancellationToken cancellationToken = default);
}

/// <summary>The kernel side of volumes with driver options; faked in unit tests.</summary>
public interface IMounter
{
    void Mount(string device, string target, string fsType, string? options);

    void Unmount(string target);

    bool IsMountPoint(string path);

    /// <summary>True when the kernel can mount this filesystem type (registered or loadable).</summary>
    bool FilesystemAvailable(string fsType);
}
