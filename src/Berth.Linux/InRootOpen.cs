using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Berth.Linux;

/// <summary>
/// Resolves a path inside a root directory the way the kernel would if that directory were "/":
/// openat2(2) with RESOLVE_IN_ROOT evaluates "..", absolute symlinks and relative symlinks
/// without ever leaving the root, atomically in one syscall. The result is an O_PATH descriptor,
/// so later operations go through /proc/self/fd/N and cannot be redirected by a container that
/// swaps a path component for a symlink after the check (CVE-2018-15664, the docker cp race).
/// </summary>
public static partial class InRootOpen
{
    private const long SysOpenat2X64AndArm64 = 437; // new syscalls share numbers across arches
    private const ulong OPath = 0x200000;
    private const ulong OCloexec = 0x80000;
    private const ulong ResolveNoMagiclinks = 0x02;
    private const ulong ResolveInRoot = 0x10;
    private const int Eagain = 11;
    private const int Enoent = 2;
    private const int Eloop = 40;
    private const int Enotdir = 20;
    private const int MaxRetries = 16;

    [StructLayout(LayoutKind.Sequential)]
    private struct OpenHow
    {
        public ulong Flags;
        public ulong Mode;
        public ulong Resolve;
    }

    [LibraryImport("libc", EntryPoint = "syscall", SetLastError = true)]
    private static unsafe partial long Syscall4(long number, int dirfd, byte* path, OpenHow* how, nuint size);

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int OpenNative(string path, int flags);

    /// <summary>O_NOFOLLOW differs between x86-64 and arm64 (and O_DIRECTORY likewise).</summary>
    private static ulong ONofollow => RuntimeInformation.ProcessArchitecture == Architecture.Arm64 ? 0x8000UL : 0x20000UL;

    /// <summary>
    /// Opens <paramref name="path"/> (read as a path inside the container, "/" = root) beneath
    /// <paramref name="root"/>. With <paramref name="followFinal"/> false a final symlink is
    /// returned itself (docker cp copies links, it does not follow them). Throws
    /// FileNotFoundException, or IOException for loops and other errors.
    /// </summary>
    public static unsafe ResolvedPath Open(string root, string path, bool followFinal = true)
    {
        int rootFd = OpenNative(root, (int)(OPath | OCloexec));
        if (rootFd < 0)
        {
            throw ErrnoException(Marshal.GetLastPInvokeError(), root);
        }
        using var rootHandle = new SafeFileHandle(rootFd, ownsHandle: true);
        // An empty path means the root itself.
        var relative = string.IsNullOrEmpty(path) ? "." : path;
        var bytes = System.Text.Encoding.UTF8.GetBytes(relative + "\0");
        var how = new OpenHow
        {
            Flags = OPath | OCloexec | (followFinal ? 0 : ONofollow),
            Resolve = ResolveInRoot | ResolveNoMagiclinks,
        };
        for (int attempt = 0; ; attempt++)
        {
            long fd;
            fixed (byte* p = bytes)
            {
                fd = Syscall4(SysOpenat2X64AndArm64, rootFd, p, &how, (nuint)sizeof(OpenHow));
            }
            if (fd >= 0)
            {
                return new ResolvedPath(new SafeFileHandle((nint)fd, ownsHandle: true));
            }
            int errno = Marshal.GetLastPInvokeError();
            // EAGAIN: a concurrent rename moved something during ".." resolution; the kernel
            // asks the caller to retry rather than risk an escape.
            if (errno != Eagain || attempt >= MaxRetries)
            {
                throw ErrnoException(errno, $"{root} + {path}");
            }
        }
    }

    private static IOException ErrnoException(int errno, string what)
    {
        string message = $"{what}: {Marshal.GetPInvokeErrorMessage(errno).ToLowerInvariant()}";
        return errno switch
        {
            Enoent => new FileNotFoundException(message),
            Enotdir => new DirectoryNotFoundException(message),
            Eloop => new IOException(message, errno),
            _ => new IOException(message, errno),
        };
    }
}

/// <summary>
/// An O_PATH descriptor for a resolved path. <see cref="ProcPath"/> names exactly that inode for
/// as long as this object lives, whatever happens to the path it came from.
/// </summary>
public sealed class ResolvedPath : IDisposable
{
    internal ResolvedPath(SafeFileHandle handle)
    {
        Handle = handle;
    }

    public SafeFileHandle Handle { get; }

    public int Fd => (int)Handle.DangerousGetHandle();

    /// <summary><c>/proc/self/fd/N</c>: use it as the path for later opens, stats and mounts.</summary>
    public string ProcPath => $"/proc/self/fd/{Fd}";

    /// <summary>The host path the kernel resolved to (informational: it may change after this call).</summary>
    public string HostPath() => new FileInfo(ProcPath).LinkTarget ?? ProcPath;

    public void Dispose() => Handle.Dispose();
}
