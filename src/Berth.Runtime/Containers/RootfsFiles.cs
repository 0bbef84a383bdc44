using System.Text;
using Berth.Linux;

namespace Berth.Runtime.Containers;

/// <summary>
/// Reads small files from a container's mounted rootfs without letting the image redirect the
/// read: openat2 with RESOLVE_IN_ROOT walks symlinks and ".." as if the rootfs were "/", so an
/// /etc/passwd that links to the host's /etc/shadow reads the image's own path instead.
/// </summary>
public static class RootfsFiles
{
    private const int MaxBytes = 4 * 1024 * 1024;

    /// <summary>The file's text, or null when it is absent, not a regular file, or too large.</summary>
    public static string? ReadConfined(string rootfs, string pathInContainer)
    {
        int root = FileSys.OpenDirectory(rootfs);
        try
        {
            // O_NONBLOCK: a fifo planted at that path must not hang the start.
            const int ONonblock = 0x800;
            int fd = FileSys.TryOpenInRoot(root, pathInContainer, FileSys.ORdonly | ONonblock);
            if (fd < 0)
            {
                return null;
            }
            using var handle = new Microsoft.Win32.SafeHandles.SafeFileHandle(fd, ownsHandle: true);
            if (FileSys.TryLstatAt(fd, "") is { } stat && stat.Type == FileSys.S_IFREG && stat.Size <= MaxBytes)
            {
                byte[] buffer = new byte[(int)stat.Size];
                int read = 0;
                while (read < buffer.Length)
                {
                    int n = RandomAccess.Read(handle, buffer.AsSpan(read), read);
                    if (n == 0)
                    {
                        break;
                    }
                    read += n;
                }
                return Encoding.UTF8.GetString(buffer, 0, read);
            }
            return null;
        }
        catch (IOException)
        {
            return null; // a directory or a device at that path: treat as absent
        }
        finally
        {
            FileSys.Close(root);
        }
    }
}
