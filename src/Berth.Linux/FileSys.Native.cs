using System.Runtime.InteropServices;

namespace Berth.Linux;

/// <summary>Raw imports for <see cref="FileSys"/>; every call sets errno for the wrappers to read.</summary>
public static unsafe partial class FileSys
{
    // Syscall numbers past 424 are shared by every architecture, so one table serves x86_64 and arm64.
    internal const long SysOpenTree = 428;
    internal const long SysMoveMount = 429;
    internal const long SysFsopen = 430;
    internal const long SysFsconfig = 431;
    internal const long SysFsmount = 432;
    internal const long SysOpenat2 = 437;

    [LibraryImport("libc", EntryPoint = "syscall", SetLastError = true)]
    internal static partial long Syscall(long number, nint a, nint b, nint c, nint d, nint e);

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int OpenNative(string path, int flags, uint mode);

    [LibraryImport("libc", EntryPoint = "openat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int OpenatNative(int dirfd, string path, int flags, uint mode);

    [LibraryImport("libc", EntryPoint = "close")]
    private static partial int CloseNative(int fd);

    [LibraryImport("libc", EntryPoint = "mkdirat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int MkdiratNative(int dirfd, string name, uint mode);

    [LibraryImport("libc", EntryPoint = "mknodat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int MknodatNative(int dirfd, string name, uint mode, ulong dev);

    [LibraryImport("libc", EntryPoint = "symlinkat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int SymlinkatNative(string target, int dirfd, string name);

    [LibraryImport("libc", EntryPoint = "linkat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int LinkatNative(int olddirfd, string oldname, int newdirfd, string newname, int flags);

    [LibraryImport("libc", EntryPoint = "unlinkat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int UnlinkatNative(int dirfd, string name, int flags);

    [LibraryImport("libc", EntryPoint = "renameat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int RenameatNative(int olddirfd, string oldname, int newdirfd, string newname);

    [LibraryImport("libc", EntryPoint = "fchownat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int FchownatNative(int dirfd, string name, uint uid, uint gid, int flags);

    [LibraryImport("libc", EntryPoint = "fchown", SetLastError = true)]
    private static partial int FchownNative(int fd, uint uid, uint gid);

    [LibraryImport("libc", EntryPoint = "fchmodat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int FchmodatNative(int dirfd, string name, uint mode, int flags);

    [LibraryImport("libc", EntryPoint = "fchmod", SetLastError = true)]
    private static partial int FchmodNative(int fd, uint mode);

    [LibraryImport("libc", EntryPoint = "utimensat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int UtimensatNative(int dirfd, string name, Timespec* times, int flags);

    // glibc's utimensat refuses a NULL name (EINVAL); futimens is the fd form.
    [LibraryImport("libc", EntryPoint = "futimens", SetLastError = true)]
    private static partial int FutimensNative(int fd, Timespec* times);

    [LibraryImport("libc", EntryPoint = "fsetxattr", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int FsetxattrNative(int fd, string name, byte* value, nuint size, int flags);

    [LibraryImport("libc", EntryPoint = "lsetxattr", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int LsetxattrNative(string path, string name, byte* value, nuint size, int flags);

    [LibraryImport("libc", EntryPoint = "lgetxattr", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial nint LgetxattrNative(string path, string name, byte* value, nuint size);

    [LibraryImport("libc", EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int StatxNative(int dirfd, string name, int flags, uint mask, StatxBuffer* buffer);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int FsyncNative(int fd);

    [LibraryImport("libc", EntryPoint = "syncfs", SetLastError = true)]
    private static partial int SyncfsNative(int fd);

    [LibraryImport("libc", EntryPoint = "sync_file_range", SetLastError = true)]
    private static partial int SyncFileRangeNative(int fd, long offset, long count, uint flags);

    [LibraryImport("libc", EntryPoint = "readlink", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial nint ReadlinkNative(string path, byte* buffer, nint size);

    [LibraryImport("libc", EntryPoint = "read", SetLastError = true)]
    private static partial nint ReadNative(int fd, byte* buffer, nint count);

    [StructLayout(LayoutKind.Sequential)]
    internal struct Timespec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct OpenHow
    {
        public ulong Flags;
        public ulong Mode;
        public ulong Resolve;
    }

    /// <summary>struct statx: a fixed 256-byte layout on every architecture (unlike struct stat).</summary>
    [StructLayout(LayoutKind.Explicit, Size = 256)]
    private struct StatxBuffer
    {
        [FieldOffset(16)] public uint Nlink;
        [FieldOffset(20)] public uint Uid;
        [FieldOffset(24)] public uint Gid;
        [FieldOffset(28)] public ushort Mode;
        [FieldOffset(32)] public ulong Ino;
        [FieldOffset(40)] public ulong Size;
        [FieldOffset(64)] public long AtimeSec;
        [FieldOffset(72)] public uint AtimeNsec;
        [FieldOffset(112)] public long MtimeSec;
        [FieldOffset(120)] public uint MtimeNsec;
        [FieldOffset(128)] public uint RdevMajor;
        [FieldOffset(132)] public uint RdevMinor;
        [FieldOffset(136)] public uint DevMajor;
        [FieldOffset(140)] public uint DevMinor;
    }
}
