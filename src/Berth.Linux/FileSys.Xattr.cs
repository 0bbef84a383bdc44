using System.Runtime.InteropServices;

namespace Berth.Linux;

public static unsafe partial class FileSys
{
    private const int Enotsup = 95;

    [LibraryImport("libc", EntryPoint = "fgetxattr", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial nint FgetxattrNative(int fd, string name, byte* value, nuint size);

    /// <summary>
    /// fgetxattr(2) on an open descriptor (lgetxattr on /proc/self/fd/N would read the magic link
    /// itself); null when the attribute is absent or the filesystem has no xattrs.
    /// </summary>
    public static byte[]? Fgetxattr(int fd, string attribute)
    {
        var buffer = new byte[4096];
        fixed (byte* p = buffer)
        {
            nint n = FgetxattrNative(fd, attribute, p, (nuint)buffer.Length);
            if (n < 0)
            {
                int errno = Marshal.GetLastPInvokeError();
                return errno is Errnos.ENODATA or Enotsup ? null : throw new ErrnoException($"fgetxattr {attribute}", errno);
            }
            return buffer.AsSpan(0, (int)n).ToArray();
        }
    }
}
