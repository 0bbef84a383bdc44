using System.Runtime.InteropServices;

namespace Berth.Linux;

/// <summary>
/// Reads of small kernel files (cgroupfs, /proc) into a caller's buffer with open/read/close
/// and no managed allocation: stats are read every second per container, so the usual
/// FileStream (a handle object, a buffer, a flock) per file would be most of their cost.
/// </summary>
public static unsafe partial class KernelFiles
{
    private const int OpenReadOnlyCloexec = 0x80000;

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int OpenNative(string path, int flags);

    [LibraryImport("libc", EntryPoint = "read", SetLastError = true)]
    private static partial nint ReadNative(int fd, byte* buffer, nint count);

    [LibraryImport("libc", EntryPoint = "close")]
    private static partial int CloseNative(int fd);

    /// <summary>
    /// Reads the file (to EOF or until <paramref name="buffer"/> is full). Returns the byte count,
    /// or -errno (-2 ENOENT for a missing file or a cgroup that is gone).
    /// </summary>
    public static int Read(string path, Span<byte> buffer)
    {
        int fd = OpenNative(path, OpenReadOnlyCloexec);
        if (fd < 0)
        {
            return -Marshal.GetLastPInvokeError();
        }
        try
        {
            int total = 0;
            fixed (byte* p = buffer)
            {
                while (total < buffer.Length)
                {
                    nint n = ReadNative(fd, p + total, buffer.Length - total);
                    if (n < 0)
                    {
                        int errno = Marshal.GetLastPInvokeError();
                        if (errno == Errnos.EINTR)
                        {
                            continue;
                        }
                        return -errno;
                    }
                    if (n == 0)
                    {
                        break;
                    }
                    total += (int)n;
                }
            }
            return total;
        }
        finally
        {
            _ = CloseNative(fd); // read-only: nothing to lose on a failed close
        }
    }
}
