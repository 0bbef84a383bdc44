using System.Formats.Tar;
using Berth.Linux;
using Microsoft.Win32.SafeHandles;

namespace Berth.Runtime.Containers;

/// <summary>
/// docker export: a container's merged root filesystem as one flat tar (no layers, no
/// whiteouts: the overlay mount already merged them). The walk holds a directory fd per level
/// and opens every name relative to it without following symlinks, so a running container
/// that swaps a directory for a symlink mid-walk cannot point the export at host files.
/// Hard links inside the tree become link entries; sockets are skipped, as dockerd does.
/// </summary>
public static class RootfsExport
{
    private const int OpenDirectoryNoFollow = FileSys.ORdonly | FileSys.ODirectory | FileSys.ONofollow;
    private const int OpenFileNoFollow = FileSys.ORdonly | FileSys.ONofollow;

    public static async Task WriteAsync(string root, Stream output, CancellationToken cancellationToken)
    {
        int rootFd = FileSys.OpenDirectory(root);
        try
        {
            await using var writer = new TarWriter(output, leaveOpen: true);
            var links = new Dictionary<(ulong Dev, ulong Inode), string>();
            await WalkAsync(writer, rootFd, "", links, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            FileSys.Close(rootFd);
        }
    }

    private static async Task WalkAsync(TarWriter writer, int dirFd, string prefix, Dictionary<(ulong, ulong), string> links,
        CancellationToken cancellationToken)
    {
        // /proc/self/fd/N is the directory the fd holds, not whatever the path names now.
        List<string> names = [.. Directory.EnumerateFileSystemEntries($"/proc/self/fd/{dirFd}").Select(Path.GetFileName).OfType<string>()];
        names.Sort(StringComparer.Ordinal);
        foreach (string name in names)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (FileSys.TryLstatAt(dirFd, name) is not { } st)
            {
                continue; // removed meanwhile
            }
            string entryName = prefix + name;
            uint type = st.Type;
            if (type != FileSys.S_IFDIR && st.Links > 1)
            {
                var key = (st.DevMajor << 32 | st.DevMinor, st.Inode);
                if (links.TryGetValue(key, out string? first))
                {
                    await writer.WriteEntryAsync(Entry(TarEntryType.HardLink, entryName, st, linkName: first), cancellationToken).ConfigureAwait(false);
                    continue;
                }
                links[key] = entryName;
            }
            switch (type)
            {
                case FileSys.S_IFDIR:
                    await writer.WriteEntryAsync(Entry(TarEntryType.Directory, entryName + "/", st), cancellationToken).ConfigureAwait(false);
                    int childFd = FileSys.TryOpenAt(dirFd, name, OpenDirectoryNoFollow);
                    if (childFd >= 0)
                    {
                        try
                        {
                            await WalkAsync(writer, childFd, entryName + "/", links, cancellationToken).ConfigureAwait(false);
                        }
                        finally
                        {
                            FileSys.Close(childFd);
                        }
                    }
                    break;
                case FileSys.S_IFREG:
                    int fd = FileSys.TryOpenAt(dirFd, name, OpenFileNoFollow);
                    if (fd < 0)
                    {
                        continue; // swapped for a symlink or removed since the stat
                    }
                    using (var handle = new SafeFileHandle(fd, ownsHandle: true))
                    await using (var content = new FileStream(handle, FileAccess.Read, bufferSize: 0))
                    {
                        PosixTarEntry entry = Entry(TarEntryType.RegularFile, entryName, st);
                        entry.DataStream = content;
                        await writer.WriteEntryAsync(entry, cancellationToken).ConfigureAwait(false);
                    }
                    break;
                case FileSys.S_IFLNK:
                    string target = FileSys.ReadLink($"/proc/self/fd/{dirFd}/{name}");
                    await writer.WriteEntryAsync(Entry(TarEntryType.SymbolicLink, entryName, st, linkName: target), cancellationToken).ConfigureAwait(false);
                    break;
                case FileSys.S_IFCHR:
                case FileSys.S_IFBLK:
                    PosixTarEntry device = Entry(type == FileSys.S_IFCHR ? TarEntryType.CharacterDevice : TarEntryType.BlockDevice, entryName, st);
                    device.DeviceMajor = (int)st.RdevMajor;
                    device.DeviceMinor = (int)st.RdevMinor;
                    await writer.WriteEntryAsync(device, cancellationToken).ConfigureAwait(false);
                    break;
                case FileSys.S_IFIFO:
                    await writer.WriteEntryAsync(Entry(TarEntryType.Fifo, entryName, st), cancellationToken).ConfigureAwait(false);
                    break;
                default:
                    break; // sockets (and anything else) are not archived
            }
        }
    }

    /// <summary>
    /// ustar as dockerd writes, PAX only where ustar cannot hold the entry (long names or link
    /// targets, large ids or sizes).
    /// </summary>
    private static PosixTarEntry Entry(TarEntryType type, string name, FileStat st, string? linkName = null)
    {
        bool ustar = System.Text.Encoding.UTF8.GetByteCount(name) <= 100
            && (linkName is null || System.Text.Encoding.UTF8.GetByteCount(linkName) <= 100)
            && st.Uid < 0x1FFFFF && st.Gid < 0x1FFFFF && st.Size < 0x1FFFFFFFF;
        PosixTarEntry entry = ustar ? new UstarTarEntry(type, name) : new PaxTarEntry(type, name);
        entry.Mode = (UnixFileMode)(st.Mode & 0xFFF);
        entry.Uid = (int)st.Uid;
        entry.Gid = (int)st.Gid;
        entry.ModificationTime = DateTimeOffset.FromUnixTimeSeconds(st.MtimeSeconds);
        if (linkName is not null)
        {
            entry.LinkName = linkName;
        }
        return entry;
    }

    /// <summary>Export mounts a crash left behind (exec-root is a tmpfs, but the mounts outlive nothing else).</summary>
    public static void RemoveLeftovers(string exportDir)
    {
        if (!Directory.Exists(exportDir))
        {
            return;
        }
        foreach (string dir in Directory.EnumerateDirectories(exportDir))
        {
            try
            {
                Mounts.Unmount(dir);
                Directory.Delete(dir);
            }
            catch (IOException)
            {
                // a busy leftover stays until the next start
            }
        }
    }
}
