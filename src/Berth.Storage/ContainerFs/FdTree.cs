using Berth.Linux;
using Microsoft.Win32.SafeHandles;

namespace Berth.Storage.ContainerFs;

/// <summary>
/// Directory walking on descriptors: a directory is an fd, its entries are names opened with
/// openat(O_NOFOLLOW) relative to it, so nothing a container renames or replaces meanwhile can
/// redirect a step to a path outside what was already opened.
/// </summary>
internal static class FdTree
{
    public const int OPath = 0x200000;

    /// <summary>Entry names of an open directory, sorted ordinally (deterministic tars).</summary>
    public static List<string> Names(int dirFd)
    {
        var names = new List<string>();
        foreach (string entry in Directory.EnumerateFileSystemEntries($"/proc/self/fd/{dirFd}"))
        {
            names.Add(Path.GetFileName(entry));
        }
        names.Sort(StringComparer.Ordinal);
        return names;
    }

    /// <summary>readlink of one name in an open directory (the fd pins the directory; the name is not followed).</summary>
    public static string ReadLinkAt(int dirFd, string name) => FileSys.ReadLink($"/proc/self/fd/{dirFd}/{name}");

    public static int OpenDirAt(int dirFd, string name)
    {
        int fd = FileSys.TryOpenAt(dirFd, name, FileSys.ORdonly | FileSys.ODirectory | FileSys.ONofollow);
        return fd >= 0 ? fd : throw new ErrnoException($"open {name}", -fd);
    }

    public static SafeFileHandle OpenFileAt(int dirFd, string name)
    {
        int fd = FileSys.TryOpenAt(dirFd, name, FileSys.ORdonly | FileSys.ONofollow);
        return fd >= 0 ? new SafeFileHandle(fd, ownsHandle: true) : throw new ErrnoException($"open {name}", -fd);
    }

    public static long MtimeNs(FileStat st) => st.MtimeSeconds * 1_000_000_000L + st.MtimeNanoseconds;

    public static long AtimeNs(FileStat st) => st.AtimeSeconds * 1_000_000_000L + st.AtimeNanoseconds;
}
