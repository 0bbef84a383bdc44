using Berth.Engine.Mounts;

namespace Berth.Engine.Containers;

/// <summary>
/// A container's root directory held open as a descriptor; every path below it is resolved with
/// openat2 RESOLVE_IN_ROOT from <see cref="Fd"/>. Disposing closes it and undoes any mounts made for it.
/// </summary>
public interface IContainerRoot : IDisposable
{
    int Fd { get; }
}

/// <summary>
/// Opens a container's filesystem for docker cp and copy-up (implemented by the runtime layer).
/// A running container is entered through /proc/&lt;pid&gt;/root, which is its own mount namespace
/// (volumes, binds and tmpfs included); a stopped one gets its rootfs mounted privately, with its
/// binds and volumes bind-mounted in when <c>mounts</c> are given.
/// </summary>
public interface IContainerFilesystem
{
    Task<IContainerRoot> OpenAsync(ContainerRecord record, IReadOnlyList<(MountPoint Mount, string HostPath)> mounts, CancellationToken cancellationToken = default);

    /// <summary>Freezes a running container's cgroup (commit's pause) until the result is disposed.</summary>
    Task<IDisposable> FreezeAsync(ContainerRecord record, CancellationToken cancellationToken = default);
}

/// <summary>What HEAD /archive reports (moby container.PathStat); Mode is Go's os.FileMode bits.</summary>
public sealed record PathStat(string Name, long Size, uint Mode, DateTimeOffset Mtime, string LinkTarget);

/// <summary>PUT /archive options.</summary>
public sealed record ExtractOptions(bool NoOverwriteDirNonDir, (uint Uid, uint Gid)? Chown);

/// <summary>One line of GET /containers/{id}/changes: Kind 0 modified, 1 added, 2 deleted.</summary>
public sealed record FileChange(string Path, int Kind);

/// <summary>
/// File-tree work on descriptors (implemented in Berth.Storage): everything under a container
/// root is reached through openat2 RESOLVE_IN_ROOT and *at calls, so a symlink the container plants,
/// even while the operation runs, cannot lead outside the root.
/// </summary>
public interface IContainerFileOps
{
    /// <summary>Copy-up: the directory at <paramref name="containerPath"/> (if any) into <paramref name="volumeDir"/> when that is empty.</summary>
    void CopyImageContent(int rootFd, string containerPath, string volumeDir);

    /// <summary>lstat of the path (parents followed, final component not); FileNotFoundException when missing.</summary>
    PathStat Stat(int rootFd, string path);

    /// <summary>Writes a tar of the resource at <paramref name="path"/>, its top entry renamed to the path's base name.</summary>
    void WriteArchive(int rootFd, string path, Stream output, CancellationToken cancellationToken);

    /// <summary>Resolves <paramref name="directory"/> (final symlink followed) and returns its resolved container path; throws when not a directory.</summary>
    string ResolveDirectory(int rootFd, string directory);

    /// <summary>Extracts a tar (plain or compressed) into the resolved directory with the layer extractor's hostile-tar rules.</summary>
    void Extract(int rootFd, string directory, Stream tar, ExtractOptions options, CancellationToken cancellationToken);

    /// <summary>Walks a read-write layer's upper directory (docker diff).</summary>
    IReadOnlyList<FileChange> Changes(string upperDir, IReadOnlyList<string> lowerDirs);

    /// <summary>Writes the upper directory as a layer tar: whiteouts as .wh. entries, opaque directories as .wh..wh..opq.</summary>
    void WriteLayer(string upperDir, Stream output, CancellationToken cancellationToken);
}
