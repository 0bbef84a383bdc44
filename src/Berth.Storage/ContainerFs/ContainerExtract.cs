using System.Formats.Tar;
using Berth.Engine.Containers;
using Berth.Engine.Errors;
using Berth.Linux;
using Berth.Storage.Layers;
using Microsoft.Win32.SafeHandles;

namespace Berth.Storage.ContainerFs;

/// <summary>
/// PUT /archive: a client tar extracted into a directory of a container with the layer
/// extractor's hostile-tar rules (<see cref="TarPath"/>): names that climb out of the destination
/// and symlinks whose relative target climbs past the root are refused; every parent is opened
/// with openat2 RESOLVE_IN_ROOT from the container root and every name created with *at calls in
/// that parent, so symlinks — planted before or during the copy — resolve inside the container.
/// Device nodes are refused (a client has no business creating them through docker cp).
/// </summary>
internal sealed class ContainerExtract(int rootFd, string destination, ExtractOptions options)
{
    private readonly byte[] _buffer = new byte[1 << 20];
    private readonly List<(string Path, long Atime, long Mtime)> _dirTimes = [];

    public void Run(Stream tar, CancellationToken cancellationToken)
    {
        using var input = Decompression.Open(tar);
        using var reader = new TarReader(input, leaveOpen: true);
        try
        {
            while (reader.GetNextEntry(copyData: false) is { } entry)
            {
                cancellationToken.ThrowIfCancellationRequested();
                Apply(entry);
            }
        }
        catch (Exception e) when (e is InvalidDataException or EndOfStreamException or FormatException or ArgumentException)
        {
            throw DaemonException.InvalidParameter(Messages.TarInvalid(e.Message));
        }
        foreach (var (path, atime, mtime) in Enumerable.Reverse(_dirTimes))
        {
            int fd = FileSys.TryOpenInRoot(rootFd, InScopePath.Relative(path), FileSys.ORdonly | FileSys.ODirectory);
            if (fd >= 0)
            {
                FileSys.SetTimes(fd, atime, mtime);
                FileSys.Close(fd);
            }
        }
    }

    private void Apply(TarEntry entry)
    {
        if (entry.EntryType is TarEntryType.GlobalExtendedAttributes)
        {
            return;
        }
        string name = TarPath.CleanOrThrow(entry.Name);
        string full = destination.TrimEnd('/') + "/" + name;
        if (name.Length == 0)
        {
            if (entry.EntryType == TarEntryType.Directory)
            {
                SetAttributes(destination, entry, isDirectory: true);
            }
            return;
        }
        int cut = full.LastIndexOf('/');
        string parentPath = full[..cut];
        string baseName = full[(cut + 1)..];
        int parent = OpenParent(parentPath, entry.Name);
        try
        {
            bool isDir = entry.EntryType == TarEntryType.Directory;
            if (FileSys.TryLstatAt(parent, baseName) is { } existing)
            {
                bool existingDir = existing.Type == FileSys.S_IFDIR;
                if (options.NoOverwriteDirNonDir && existingDir && !isDir)
                {
                    throw DaemonException.System(Messages.CannotOverwriteDirectory(full, entry.Name));
                }
                if (options.NoOverwriteDirNonDir && !existingDir && isDir)
                {
                    throw DaemonException.System(Messages.CannotOverwriteNonDirectory(full, entry.Name));
                }
                if (!(existingDir && isDir))
                {
                    if (existingDir)
                    {
                        // The fd pins the confined parent; a recursive delete unlinks symlinks, never follows them.
                        Directory.Delete($"/proc/self/fd/{parent}/{baseName}", recursive: true);
                    }
                    else
                    {
                        Check(FileSys.TryUnlinkAt(parent, baseName, directory: false), entry.Name);
                    }
                }
            }
            Create(entry, parent, baseName, full, name);
        }
        finally
        {
            FileSys.Close(parent);
        }
    }

    private void Create(TarEntry entry, int parent, string baseName, string full, string name)
    {
        uint mode = (uint)entry.Mode & 0xFFF;
        switch (entry.EntryType)
        {
            case TarEntryType.Directory:
                int err = FileSys.TryMkdirAt(parent, baseName, 0x1C0);
                if (err != 0 && err != Errnos.EEXIST)
                {
                    Check(err, entry.Name);
                }
                SetAttributes(full, entry, isDirectory: true);
                break;
            case TarEntryType.RegularFile or TarEntryType.V7RegularFile or TarEntryType.ContiguousFile:
                int fd = FileSys.TryOpenAt(parent, baseName, FileSys.OWronly | FileSys.OCreat | FileSys.OExcl | FileSys.ONofollow, 0x180);
                Check(fd < 0 ? -fd : 0, entry.Name);
                using (var handle = new SafeFileHandle(fd, ownsHandle: true))
                {
                    long offset = 0;
                    if (entry.DataStream is { } data)
                    {
                        // The body arrives in socket-sized pieces: fill the buffer first so each write is large.
                        int filled;
                        while ((filled = data.ReadAtLeast(_buffer, _buffer.Length, throwOnEndOfStream: false)) > 0)
                        {
                            RandomAccess.Write(handle, _buffer.AsSpan(0, filled), offset);
                            offset += filled;
                        }
                    }
                    Own(fd, entry);
                    FileSys.Fchmod(fd, mode);
                    FileSys.SetTimes(fd, Mtime(entry), Mtime(entry));
                }
                break;
            case TarEntryType.SymbolicLink:
                if (!TarPath.SymlinkTargetIsInside(name, entry.LinkName))
                {
                    throw DaemonException.InvalidParameter(Messages.TarInvalidSymlink(entry.Name, entry.LinkName));
                }
                Check(FileSys.TrySymlinkAt(entry.LinkName, parent, baseName), entry.Name);
                OwnAt(parent, baseName, entry);
                FileSys.SetTimesAt(parent, baseName, Mtime(entry), Mtime(entry));
                break;
            case TarEntryType.HardLink:
                string? target = TarPath.Clean(entry.LinkName);
                if (target is null or "")
                {
                    throw DaemonException.InvalidParameter(Messages.TarInvalidHardlink(entry.Name, entry.LinkName));
                }
                string targetFull = destination.TrimEnd('/') + "/" + target;
                int cut = targetFull.LastIndexOf('/');
                int targetDir = FileSys.TryOpenInRoot(rootFd, InScopePath.Relative(targetFull[..cut]), FileSys.ORdonly | FileSys.ODirectory);
                try
                {
                    Check(targetDir < 0 ? -targetDir : FileSys.TryLinkAt(targetDir, targetFull[(cut + 1)..], parent, baseName), entry.Name);
                }
                finally
                {
                    FileSys.Close(targetDir);
                }
                break;
            case TarEntryType.Fifo:
                Check(FileSys.TryMknodAt(parent, baseName, FileSys.S_IFIFO | mode, 0, 0), entry.Name);
                OwnAt(parent, baseName, entry);
                FileSys.FchmodAt(parent, baseName, mode);
                break;
            default:
                throw DaemonException.InvalidParameter(Messages.TarUnhandledType(entry.Name, $"'{(char)entry.EntryType}'"));
        }
    }

    /// <summary>Opens the parent inside the root, creating missing directories (0755) like moby's untar does.</summary>
    private int OpenParent(string parentPath, string entryName)
    {
        int fd = FileSys.TryOpenInRoot(rootFd, InScopePath.Relative(parentPath), FileSys.ORdonly | FileSys.ODirectory);
        if (fd != -Errnos.ENOENT)
        {
            return fd >= 0 ? fd : throw Failed(entryName, -fd);
        }
        string[] parts = parentPath.Split('/', StringSplitOptions.RemoveEmptyEntries);
        int current = FileSys.TryOpenInRoot(rootFd, ".", FileSys.ORdonly | FileSys.ODirectory);
        for (int i = 0; i < parts.Length; i++)
        {
            _ = FileSys.TryMkdirAt(current, parts[i], 0x1ED); // EEXIST (or a dangling symlink) is left to the open below
            int next = FileSys.TryOpenInRoot(rootFd, string.Join('/', parts, 0, i + 1), FileSys.ORdonly | FileSys.ODirectory);
            FileSys.Close(current);
            if (next < 0)
            {
                throw Failed(entryName, -next);
            }
            current = next;
        }
        return current;
    }

    private void SetAttributes(string path, TarEntry entry, bool isDirectory)
    {
        int fd = FileSys.TryOpenInRoot(rootFd, InScopePath.Relative(path), FileSys.ORdonly | FileSys.ODirectory | FileSys.ONofollow);
        Check(fd < 0 ? -fd : 0, entry.Name);
        try
        {
            Own(fd, entry);
            FileSys.Fchmod(fd, (uint)entry.Mode & 0xFFF);
        }
        finally
        {
            FileSys.Close(fd);
        }
        if (isDirectory)
        {
            _dirTimes.Add((path, Mtime(entry), Mtime(entry)));
        }
    }

    private void Own(int fd, TarEntry entry)
    {
        var (uid, gid) = options.Chown ?? ((uint)entry.Uid, (uint)entry.Gid);
        FileSys.Fchown(fd, uid, gid);
    }

    private void OwnAt(int parent, string name, TarEntry entry)
    {
        var (uid, gid) = options.Chown ?? ((uint)entry.Uid, (uint)entry.Gid);
        FileSys.FchownAt(parent, name, uid, gid);
    }

    private static long Mtime(TarEntry entry) => Math.Max(0, (entry.ModificationTime.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) * 100);

    private static void Check(int errno, string name)
    {
        if (errno != 0)
        {
            throw Failed(name, errno);
        }
    }

    private static DaemonException Failed(string name, int errno) =>
        ConfinedTree.Failed(name, new ErrnoException("extract", errno));
}
