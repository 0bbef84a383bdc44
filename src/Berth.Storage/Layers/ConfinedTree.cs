using System.Globalization;
using Berth.Engine.Errors;
using Berth.Linux;

namespace Berth.Storage.Layers;

/// <summary>
/// The layer directory as seen by extraction: every path is resolved with openat2
/// RESOLVE_IN_ROOT from the root fd (chroot semantics, no fork), and names are created with
/// the *at calls relative to the resolved parent, so a symlink planted by an earlier entry
/// can steer a later one only to somewhere inside the layer.
/// </summary>
internal sealed class ConfinedTree : IDisposable
{
    private const uint DirMode = 0x1ED; // 0755, what moby gives implied parent directories

    private readonly string _rootReal;
    private readonly string _shadowDir;
    // physical path -> tar-split file index, for files whose content the record still points at
    private readonly Dictionary<string, int> _content = new(StringComparer.Ordinal);
    private string? _cachedParent;
    private int _cachedFd = -1;
    private string _cachedPhysical = "";

    public ConfinedTree(string root, string shadowDir)
    {
        RootFd = FileSys.OpenDirectory(root);
        _rootReal = FileSys.ReadLink($"/proc/self/fd/{RootFd}");
        _shadowDir = shadowDir;
    }

    public int RootFd { get; }

    /// <summary>
    /// The directory fd for a cleaned parent path (creating missing parents like moby's
    /// createImpliedDirectories) and its physical path (symlinks resolved, relative to the root).
    /// The fd belongs to the tree and stays valid until the next call or <see cref="Invalidate"/>.
    /// </summary>
    public (int Fd, string Physical) Parent(string parent)
    {
        if (parent.Length == 0)
        {
            return (RootFd, "");
        }
        if (_cachedParent == parent)
        {
            return (_cachedFd, _cachedPhysical);
        }
        Invalidate();
        int fd = FileSys.TryOpenInRoot(RootFd, parent, FileSys.ORdonly | FileSys.ODirectory);
        if (fd == -Errnos.ENOENT)
        {
            fd = CreateImplied(parent);
        }
        if (fd < 0)
        {
            throw Failed(parent, new ErrnoException("open parent directory", -fd));
        }
        _cachedParent = parent;
        _cachedFd = fd;
        _cachedPhysical = PhysicalOf(fd);
        return (fd, _cachedPhysical);
    }

    /// <summary>Opens an existing directory without creating anything (hardlink targets); -errno on failure.</summary>
    public int TryOpenExisting(string path) =>
        path.Length == 0 ? FileSys.TryOpenAt(RootFd, ".", FileSys.ORdonly | FileSys.ODirectory)
            : FileSys.TryOpenInRoot(RootFd, path, FileSys.ORdonly | FileSys.ODirectory);

    /// <summary>Forgets the cached parent: after anything that may change what a path resolves to.</summary>
    public void Invalidate()
    {
        if (_cachedFd >= 0)
        {
            FileSys.Close(_cachedFd);
        }
        _cachedFd = -1;
        _cachedParent = null;
    }

    public void RecordContent(string physical, int index) => _content[physical] = index;

    /// <summary>
    /// Removes what a later entry replaces (moby: RemoveAll unless dir over dir). Files whose
    /// content the tar-split record references move to shadow/&lt;index&gt; instead, so the
    /// original tar can still be rebuilt.
    /// </summary>
    public void Remove(int parentFd, string parentPhysical, string name, FileStat existing)
    {
        var physical = parentPhysical.Length == 0 ? name : parentPhysical + "/" + name;
        var moved = _content.Keys.Where(k => k == physical || k.StartsWith(physical + "/", StringComparison.Ordinal)).ToList();
        foreach (var path in moved)
        {
            Shadow(path, _content[path]);
        }
        if (existing.Type == FileSys.S_IFDIR)
        {
            // The fd pins the confined parent; the recursive delete unlinks symlinks, never follows them.
            Directory.Delete($"/proc/self/fd/{parentFd}/{name}", recursive: true);
        }
        else if (!moved.Contains(physical))
        {
            int errno = FileSys.TryUnlinkAt(parentFd, name, directory: false);
            if (errno != 0)
            {
                throw Failed(name, new ErrnoException("unlink", errno));
            }
        }
        Invalidate();
    }

    /// <summary>Flushes everything written below the root to disk.</summary>
    public void Sync() => FileSys.Syncfs(RootFd);

    public void Dispose()
    {
        Invalidate();
        FileSys.Close(RootFd);
    }

    public static DaemonException Failed(string name, Exception error) =>
        error is ErrnoException { Errno: 28 or 122 or 5 or 12 } // ENOSPC, EDQUOT, EIO, ENOMEM: our problem, not the tar's
            ? DaemonException.System(Messages.TarEntryFailed(name, error.Message), error)
            : new DaemonException(ErrorKind.InvalidParameter, Messages.TarEntryFailed(name, error.Message), error);

    private void Shadow(string physical, int index)
    {
        Directory.CreateDirectory(_shadowDir);
        int dirFd = TryOpenExisting(TarPath.Parent(physical));
        int shadowFd = FileSys.OpenDirectory(_shadowDir);
        try
        {
            int errno = dirFd < 0 ? -dirFd
                : FileSys.TryRenameAt(dirFd, TarPath.Base(physical), shadowFd, index.ToString(CultureInfo.InvariantCulture));
            if (errno != 0)
            {
                throw Failed(physical, new ErrnoException("keep replaced file", errno));
            }
        }
        finally
        {
            FileSys.Close(dirFd);
            FileSys.Close(shadowFd);
        }
        _content.Remove(physical);
    }

    private int CreateImplied(string parent)
    {
        var parts = parent.Split('/');
        int prev = RootFd;
        for (int i = 0; i < parts.Length; i++)
        {
            var prefix = string.Join('/', parts, 0, i + 1);
            int fd = FileSys.TryOpenInRoot(RootFd, prefix, FileSys.ORdonly | FileSys.ODirectory);
            if (fd == -Errnos.ENOENT)
            {
                // mkdirat on one name in the confined parent: a dangling symlink here is EEXIST, not followed.
                int errno = FileSys.TryMkdirAt(prev, parts[i], DirMode);
                if (errno == 0)
                {
                    FileSys.FchmodAt(prev, parts[i], DirMode);
                }
                fd = FileSys.TryOpenInRoot(RootFd, prefix, FileSys.ORdonly | FileSys.ODirectory);
            }
            if (prev != RootFd)
            {
                FileSys.Close(prev);
            }
            if (fd < 0)
            {
                return fd;
            }
            prev = fd;
        }
        return prev;
    }

    private string PhysicalOf(int fd)
    {
        var real = FileSys.ReadLink($"/proc/self/fd/{fd}");
        if (real == _rootReal)
        {
            return "";
        }
        return real.StartsWith(_rootReal + "/", StringComparison.Ordinal)
            ? real[(_rootReal.Length + 1)..]
            : throw DaemonException.System($"layer directory escaped its root: {real}");
    }
}
