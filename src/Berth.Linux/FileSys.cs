using System.Runtime.InteropServices;
using System.Text;

namespace Berth.Linux;

/// <summary>What <see cref="FileSys.Lstat"/> reports; times are Unix seconds + nanoseconds.</summary>
public readonly record struct FileStat(
    uint Mode, uint Uid, uint Gid, ulong Inode, ulong Size, uint Links,
    uint RdevMajor, uint RdevMinor, ulong DevMajor, ulong DevMinor,
    long MtimeSeconds, uint MtimeNanoseconds, long AtimeSeconds, uint AtimeNanoseconds)
{
    public uint Type => Mode & FileSys.S_IFMT;
}

/// <summary>
/// The *at file system calls that confined extraction needs: everything is relative to a
/// directory fd, and path walks use openat2's RESOLVE_IN_ROOT so no symlink can lead out.
/// Errors are <see cref="ErrnoException"/>; Try* variants return the errno (0 on success)
/// for the cases callers handle (EEXIST, ENOENT).
/// </summary>
public static unsafe partial class FileSys
{
    public const int AtFdCwd = -100;
    public const int ORdonly = 0, OWronly = 1, ORdwr = 2, OCreat = 0x40, OExcl = 0x80, OTrunc = 0x200;
    public const int ODirectory = 0x10000, ONofollow = 0x20000, OCloexec = 0x80000, OPath = 0x200000;
    public const int AtSymlinkNofollow = 0x100, AtRemovedir = 0x200, AtEmptyPath = 0x1000;
    public const ulong ResolveNoXdev = 0x01, ResolveNoMagiclinks = 0x02, ResolveNoSymlinks = 0x04, ResolveBeneath = 0x08, ResolveInRoot = 0x10;
    public const uint S_IFMT = 0xF000, S_IFSOCK = 0xC000, S_IFLNK = 0xA000, S_IFREG = 0x8000, S_IFBLK = 0x6000;
    public const uint S_IFDIR = 0x4000, S_IFCHR = 0x2000, S_IFIFO = 0x1000;
    private const long UtimeOmit = (1L << 30) - 2;

    /// <summary>open(2) of a directory, O_RDONLY|O_DIRECTORY|O_CLOEXEC: the root for the *at calls.</summary>
    public static int OpenDirectory(string path)
    {
        int fd = OpenNative(path, ORdonly | ODirectory | OCloexec, 0);
        return fd >= 0 ? fd : throw ErrnoException.Last($"open {path}");
    }

    /// <summary>
    /// openat2(root, path, flags, mode, RESOLVE_IN_ROOT|RESOLVE_NO_MAGICLINKS): the path is walked
    /// as if <paramref name="rootFd"/> were "/" — "..", absolute symlinks and absolute names all
    /// stay inside. Returns the fd or -errno.
    /// </summary>
    public static int TryOpenInRoot(int rootFd, string path, int flags, uint mode = 0)
    {
        var how = new OpenHow { Flags = (ulong)(flags | OCloexec), Mode = mode, Resolve = ResolveInRoot | ResolveNoMagiclinks };
        byte[] name = NullTerminated(path);
        while (true)
        {
            long fd;
            fixed (byte* p = name)
            {
                fd = Syscall(SysOpenat2, rootFd, (nint)p, (nint)(&how), sizeof(OpenHow), 0);
            }
            if (fd >= 0)
            {
                return (int)fd;
            }
            int errno = Marshal.GetLastPInvokeError();
            if (errno != Errnos.EAGAIN && errno != Errnos.EINTR)
            {
                return -errno; // EAGAIN: a concurrent rename raced the walk; the kernel asks to retry
            }
        }
    }

    public static int OpenInRoot(int rootFd, string path, int flags, uint mode = 0)
    {
        int fd = TryOpenInRoot(rootFd, path, flags, mode);
        return fd >= 0 ? fd : throw new ErrnoException($"openat2 {path}", -fd);
    }

    /// <summary>openat(2) of one name in a directory; O_NOFOLLOW is the caller's choice. Returns fd or -errno.</summary>
    public static int TryOpenAt(int dirFd, string name, int flags, uint mode = 0)
    {
        int fd = OpenatNative(dirFd, name, flags | OCloexec, mode);
        return fd >= 0 ? fd : -Marshal.GetLastPInvokeError();
    }

    public static void Close(int fd)
    {
        if (fd >= 0)
        {
            _ = CloseNative(fd); // nothing written through these fds is lost on a failed close
        }
    }

    public static int TryMkdirAt(int dirFd, string name, uint mode) => Check(MkdiratNative(dirFd, name, mode));

    public static int TryMknodAt(int dirFd, string name, uint mode, uint major, uint minor) =>
        Check(MknodatNative(dirFd, name, mode, MakeDev(major, minor)));

    public static int TrySymlinkAt(string target, int dirFd, string name) => Check(SymlinkatNative(target, dirFd, name));

    /// <summary>linkat(2) without AT_SYMLINK_FOLLOW: a link to a symlink links the symlink itself, as Go's os.Link.</summary>
    public static int TryLinkAt(int oldDirFd, string oldName, int newDirFd, string newName) =>
        Check(LinkatNative(oldDirFd, oldName, newDirFd, newName, 0));

    public static int TryUnlinkAt(int dirFd, string name, bool directory) =>
        Check(UnlinkatNative(dirFd, name, directory ? AtRemovedir : 0));

    public static int TryRenameAt(int oldDirFd, string oldName, int newDirFd, string newName) =>
        Check(RenameatNative(oldDirFd, oldName, newDirFd, newName));

    public static void FchownAt(int dirFd, string name, uint uid, uint gid) =>
        Throw(FchownatNative(dirFd, name, uid, gid, AtSymlinkNofollow), "lchown", name);

    public static void Fchown(int fd, uint uid, uint gid) => Throw(FchownNative(fd, uid, gid), "fchown", null);

    /// <summary>fchmodat(2) follows symlinks, so callers use it only on names they just created as non-links.</summary>
    public static void FchmodAt(int dirFd, string name, uint mode) => Throw(FchmodatNative(dirFd, name, mode, 0), "chmod", name);

    public static void Fchmod(int fd, uint mode) => Throw(FchmodNative(fd, mode), "fchmod", null);

    /// <summary>utimensat(2) on a name without following it (symlinks get their own times).</summary>
    public static void SetTimesAt(int dirFd, string name, long atimeNs, long mtimeNs) =>
        SetTimes(dirFd, name, atimeNs, mtimeNs, AtSymlinkNofollow);

    /// <summary>futimens(3) equivalent.</summary>
    public static void SetTimes(int fd, long atimeNs, long mtimeNs) => SetTimes(fd, null, atimeNs, mtimeNs, 0);

    public static void Fsetxattr(int fd, string name, ReadOnlySpan<byte> value)
    {
        fixed (byte* p = value)
        {
            Throw(FsetxattrNative(fd, name, p, (nuint)value.Length, 0), "setxattr " + name, null);
        }
    }

    /// <summary>
    /// lsetxattr(2) on a name inside a directory fd, through /proc/self/fd/N/name: the fd pins the
    /// (already confined) parent, and lsetxattr does not follow the final name.
    /// </summary>
    public static void LsetxattrAt(int dirFd, string name, string attribute, ReadOnlySpan<byte> value)
    {
        var path = $"/proc/self/fd/{dirFd}/{name}";
        fixed (byte* p = value)
        {
            Throw(LsetxattrNative(path, attribute, p, (nuint)value.Length, 0), "lsetxattr " + attribute, name);
        }
    }

    /// <summary>lgetxattr(2); null when the attribute is absent.</summary>
    public static byte[]? Lgetxattr(string path, string attribute)
    {
        var buffer = new byte[64 * 1024];
        fixed (byte* p = buffer)
        {
            nint n = LgetxattrNative(path, attribute, p, (nuint)buffer.Length);
            if (n < 0)
            {
                int errno = Marshal.GetLastPInvokeError();
                return errno == Errnos.ENODATA ? null : throw new ErrnoException($"lgetxattr {path} {attribute}", errno);
            }
            return buffer.AsSpan(0, (int)n).ToArray();
        }
    }

    /// <summary>statx(2) without following a final symlink; null when the name does not exist.</summary>
    public static FileStat? TryLstatAt(int dirFd, string name)
    {
        StatxBuffer st;
        const uint StatxBasicStats = 0x7ff;
        if (StatxNative(dirFd, name, AtSymlinkNofollow | (name.Length == 0 ? AtEmptyPath : 0), StatxBasicStats, &st) != 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            return errno is Errnos.ENOENT or Errnos.ENOTDIR ? null : throw new ErrnoException($"statx {name}", errno);
        }
        return new FileStat(st.Mode, st.Uid, st.Gid, st.Ino, st.Size, st.Nlink, st.RdevMajor, st.RdevMinor,
            st.DevMajor, st.DevMinor, st.MtimeSec, st.MtimeNsec, st.AtimeSec, st.AtimeNsec);
    }

    public static FileStat Lstat(string path) => TryLstatAt(AtFdCwd, path) ?? throw new ErrnoException($"lstat {path}", Errnos.ENOENT);

    /// <summary>Flushes one directory's entries (after a rename into it).</summary>
    public static void FsyncDirectory(string path)
    {
        int fd = OpenDirectory(path);
        try
        {
            Throw(FsyncNative(fd), "fsync", path);
        }
        finally
        {
            Close(fd);
        }
    }

    /// <summary>syncfs(2): one call flushes every file a layer extraction wrote, instead of an fsync per file.</summary>
    public static void Syncfs(int fd) => Throw(SyncfsNative(fd), "syncfs", null);

    /// <summary>
    /// sync_file_range(SYNC_FILE_RANGE_WRITE): starts writeback of a file's dirty pages without
    /// waiting, so a later syncfs finds the disk work mostly done. A hint only: failure is ignored.
    /// </summary>
    public static void StartWriteback(int fd) => _ = SyncFileRangeNative(fd, 0, 0, 2);

    /// <summary>readlink(2); on /proc/self/fd/N it names the directory an fd really is.</summary>
    public static string ReadLink(string path)
    {
        var buffer = new byte[4096];
        fixed (byte* p = buffer)
        {
            nint n = ReadlinkNative(path, p, buffer.Length);
            return n >= 0 ? Encoding.UTF8.GetString(p, (int)n) : throw ErrnoException.Last($"readlink {path}");
        }
    }

    /// <summary>Reads what is available on an fd (fsopen's message channel); null on error.</summary>
    internal static string? ReadText(int fd)
    {
        byte* buffer = stackalloc byte[1024];
        nint n = ReadNative(fd, buffer, 1024);
        return n <= 0 ? null : Encoding.UTF8.GetString(buffer, (int)n);
    }

    /// <summary>glibc's makedev: 12+20 bit major, 8+24 bit minor, split across the 64-bit dev_t.</summary>
    public static ulong MakeDev(uint major, uint minor) =>
        ((ulong)(major & 0xfffff000) << 32) | ((ulong)(major & 0xfff) << 8) |
        ((ulong)(minor & 0xffffff00) << 12) | (minor & 0xff);

    internal static byte[] NullTerminated(string text)
    {
        var bytes = new byte[Encoding.UTF8.GetByteCount(text) + 1];
        Encoding.UTF8.GetBytes(text, bytes);
        return bytes;
    }

    private static void SetTimes(int fd, string? name, long atimeNs, long mtimeNs, int flags)
    {
        Timespec* times = stackalloc Timespec[2];
        times[0] = ToTimespec(atimeNs);
        times[1] = ToTimespec(mtimeNs);
        Throw(name is null ? FutimensNative(fd, times) : UtimensatNative(fd, name, times, flags), "utimensat", name);
    }

    private static Timespec ToTimespec(long ns) => ns == long.MinValue
        ? new Timespec { Seconds = 0, Nanoseconds = UtimeOmit }
        : new Timespec { Seconds = Math.DivRem(ns, 1_000_000_000L, out long rem) - (rem < 0 ? 1 : 0), Nanoseconds = rem < 0 ? rem + 1_000_000_000L : rem };

    private static int Check(int result) => result == 0 ? 0 : Marshal.GetLastPInvokeError();

    private static void Throw(int result, string operation, string? name)
    {
        if (result != 0)
        {
            throw ErrnoException.Last(name is null ? operation : $"{operation} {name}");
        }
    }
}
