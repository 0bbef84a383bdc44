using System.Runtime.InteropServices;

namespace Berth.Linux;

/// <summary>The libc calls .NET does not wrap. Source-generated marshalling keeps them NativeAOT-safe.</summary>
public static partial class Libc
{
    [LibraryImport("libc", EntryPoint = "chown", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int ChownNative(string path, uint owner, uint group);

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int OpenNative(string path, int flags);

    [LibraryImport("libc", EntryPoint = "read", SetLastError = true)]
    private static unsafe partial nint ReadNative(int fd, byte* buffer, nint count);

    [LibraryImport("libc", EntryPoint = "close")]
    private static partial int CloseNative(int fd);

    [LibraryImport("libc", EntryPoint = "getpid")]
    private static partial int GetPidNative();

    /// <summary>chown(2); owner or group of uint.MaxValue (-1) leaves that id unchanged.</summary>
    public static void Chown(string path, uint owner, uint group)
    {
        if (ChownNative(path, owner, group) != 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            throw new IOException($"chown {path}: {Marshal.GetPInvokeErrorMessage(errno)}");
        }
    }

    public static int GetPid() => GetPidNative();

    /// <summary>
    /// Reads up to 4 KiB of a file without taking any lock. .NET's FileStream takes a shared
    /// flock on open, which fails while another process holds the exclusive one — exactly when a
    /// lock file's content (the holder's pid) is wanted.
    /// </summary>
    public static unsafe string? ReadSmallFileUnlocked(string path)
    {
        const int ReadOnlyCloexec = 0x80000; // O_RDONLY | O_CLOEXEC
        int fd = OpenNative(path, ReadOnlyCloexec);
        if (fd < 0)
        {
            return null;
        }
        try
        {
            byte* buffer = stackalloc byte[4096];
            nint n = ReadNative(fd, buffer, 4096);
            return n < 0 ? null : System.Text.Encoding.UTF8.GetString(buffer, (int)n);
        }
        finally
        {
            _ = CloseNative(fd); // read-only fd: nothing to lose on a failed close
        }
    }
}
