using System.Runtime.InteropServices;

namespace Berth.Linux;

/// <summary>Process, socket and fd calls used to drive per-container monitors without fork().</summary>
public static partial class Libc
{
    public const int SIGKILL = 9;
    public const int SIGTERM = 15;

    internal const int FDupFdCloexec = 1030; // F_DUPFD_CLOEXEC
    internal const int AfUnix = 1;
    internal const int SockSeqPacket = 5;
    internal const int SockCloexec = 0x80000;
    internal const int WNoHang = 1;
    internal const int EIntr = 4;
    internal const int EChild = 10;
    internal const int ESrch = 3;
    internal const int OWronly = 1;
    internal const int ONonblock = 0x800;
    internal const int OCloexec = 0x80000;

    [LibraryImport("libc", EntryPoint = "posix_spawn_file_actions_init")]
    internal static unsafe partial int FileActionsInit(void* actions);

    [LibraryImport("libc", EntryPoint = "posix_spawn_file_actions_destroy")]
    internal static unsafe partial int FileActionsDestroy(void* actions);

    [LibraryImport("libc", EntryPoint = "posix_spawn_file_actions_adddup2")]
    internal static unsafe partial int FileActionsAddDup2(void* actions, int fd, int newFd);

    [LibraryImport("libc", EntryPoint = "posix_spawn_file_actions_addopen", StringMarshalling = StringMarshalling.Utf8)]
    internal static unsafe partial int FileActionsAddOpen(void* actions, int fd, string path, int flags, uint mode);

    [LibraryImport("libc", EntryPoint = "posix_spawn_file_actions_addchdir_np", StringMarshalling = StringMarshalling.Utf8)]
    internal static unsafe partial int FileActionsAddChdir(void* actions, string path);

    [LibraryImport("libc", EntryPoint = "posix_spawnattr_init")]
    internal static unsafe partial int SpawnAttrInit(void* attr);

    [LibraryImport("libc", EntryPoint = "posix_spawnattr_destroy")]
    internal static unsafe partial int SpawnAttrDestroy(void* attr);

    [LibraryImport("libc", EntryPoint = "posix_spawnattr_setflags")]
    internal static unsafe partial int SpawnAttrSetFlags(void* attr, short flags);

    [LibraryImport("libc", EntryPoint = "posix_spawnattr_setsigdefault")]
    internal static unsafe partial int SpawnAttrSetSigDefault(void* attr, void* sigset);

    [LibraryImport("libc", EntryPoint = "posix_spawnattr_setsigmask")]
    internal static unsafe partial int SpawnAttrSetSigMask(void* attr, void* sigset);

    [LibraryImport("libc", EntryPoint = "sigfillset")]
    internal static unsafe partial int SigFillSet(void* sigset);

    [LibraryImport("libc", EntryPoint = "sigemptyset")]
    internal static unsafe partial int SigEmptySet(void* sigset);

    [LibraryImport("libc", EntryPoint = "posix_spawnp", StringMarshalling = StringMarshalling.Utf8)]
    internal static unsafe partial int PosixSpawnP(int* pid, string file, void* actions, void* attr, byte** argv, byte** envp);

    [LibraryImport("libc", EntryPoint = "waitpid", SetLastError = true)]
    internal static unsafe partial int WaitPidNative(int pid, int* status, int options);

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int KillNative(int pid, int signal);

    [LibraryImport("libc", EntryPoint = "socketpair", SetLastError = true)]
    private static unsafe partial int SocketPairNative(int domain, int type, int protocol, int* fds);

    [LibraryImport("libc", EntryPoint = "fcntl", SetLastError = true)]
    internal static partial int FcntlNative(int fd, int cmd, int arg);

    [LibraryImport("libc", EntryPoint = "write", SetLastError = true)]
    private static unsafe partial nint WriteNative(int fd, byte* buffer, nint count);

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int OpenModeNative(string path, int flags, uint mode);

    [LibraryImport("libc", EntryPoint = "stat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static unsafe partial int StatNative(string path, byte* buffer);

    [LibraryImport("libc", EntryPoint = "fstat", SetLastError = true)]
    private static unsafe partial int FstatNative(int fd, byte* buffer);

    /// <summary>kill(2). False when the process does not exist (ESRCH); other errors throw.</summary>
    public static bool Kill(int pid, int signal)
    {
        if (KillNative(pid, signal) == 0)
        {
            return true;
        }
        int errno = Marshal.GetLastPInvokeError();
        return errno == ESrch ? false : throw Error($"kill {pid} {signal}", errno);
    }

    /// <summary>socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC): message boundaries kept, as conmon's pipes expect.</summary>
    public static unsafe (int First, int Second) SocketPairSeqPacket()
    {
        int* fds = stackalloc int[2];
        if (SocketPairNative(AfUnix, SockSeqPacket | SockCloexec, 0, fds) != 0)
        {
            throw Error("socketpair", Marshal.GetLastPInvokeError());
        }
        return (fds[0], fds[1]);
    }

    public static void Close(int fd)
    {
        if (fd >= 0)
        {
            _ = CloseNative(fd); // callers close fds they own once; EINTR on Linux still closes
        }
    }

    /// <summary>
    /// Writes all of <paramref name="data"/> to a fifo without ever blocking on open: O_NONBLOCK
    /// makes open fail (ENXIO) when nobody reads, e.g. a monitor that already exited.
    /// </summary>
    public static unsafe void WriteFifo(string path, ReadOnlySpan<byte> data)
    {
        int fd = OpenModeNative(path, OWronly | ONonblock | OCloexec, 0);
        if (fd < 0)
        {
            throw Error($"open {path}", Marshal.GetLastPInvokeError());
        }
        try
        {
            fixed (byte* p = data)
            {
                nint n = WriteNative(fd, p, data.Length);
                if (n != data.Length)
                {
                    throw Error($"write {path}", n < 0 ? Marshal.GetLastPInvokeError() : 0);
                }
            }
        }
        finally
        {
            Close(fd);
        }
    }

    /// <summary>(st_dev, st_ino) of a path; null when it does not exist. Detects log rotation.</summary>
    public static unsafe (ulong Device, ulong Inode)? FileIdentity(string path)
    {
        // struct stat starts with st_dev and st_ino (8 bytes each) on x86_64 and arm64.
        byte* buffer = stackalloc byte[256];
        return StatNative(path, buffer) == 0 ? (*(ulong*)buffer, *(ulong*)(buffer + 8)) : null;
    }

    public static unsafe (ulong Device, ulong Inode)? FileIdentity(Microsoft.Win32.SafeHandles.SafeFileHandle handle)
    {
        byte* buffer = stackalloc byte[256];
        return FstatNative((int)handle.DangerousGetHandle(), buffer) == 0 ? (*(ulong*)buffer, *(ulong*)(buffer + 8)) : null;
    }

    internal static IOException Error(string what, int errno) =>
        new($"{what}: {Marshal.GetPInvokeErrorMessage(errno)}", errno);
}
