using System.Runtime.InteropServices;

namespace Berth.Linux;

/// <summary>
/// fsync for directories, which .NET cannot open as streams. A rename is only durable once the
/// directory holding the new name is synced; without it a power loss can undo the rename.
/// </summary>
public static partial class DurableFiles
{
    private const int ORdonlyCloexec = 0x80000;

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int OpenNative(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int FsyncNative(int fd);

    [LibraryImport("libc", EntryPoint = "close")]
    private static partial int CloseNative(int fd);

    public static void FsyncDirectory(string path)
    {
        int fd = OpenNative(path, ORdonlyCloexec);
        if (fd < 0)
        {
            throw new IOException($"open {path}: {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}");
        }
        try
        {
            if (FsyncNative(fd) != 0)
            {
                throw new IOException($"fsync {path}: {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}");
            }
        }
        finally
        {
            _ = CloseNative(fd);
        }
    }

    /// <summary>Writes a file under a temporary name, fsyncs it, renames it over the target and syncs the directory.</summary>
    public static void WriteAtomic(string path, ReadOnlySpan<byte> content, UnixFileMode mode)
    {
        string dir = Path.GetDirectoryName(path)!;
        string temp = Path.Combine(dir, "." + Path.GetFileName(path) + ".tmp-" + Guid.NewGuid().ToString("N"));
        try
        {
            using (var stream = new FileStream(temp, new FileStreamOptions
            {
                Mode = FileMode.CreateNew,
                Access = FileAccess.Write,
                UnixCreateMode = mode,
            }))
            {
                stream.Write(content);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, path, overwrite: true);
        }
        catch
        {
            File.Delete(temp);
            throw;
        }
        FsyncDirectory(dir);
    }
}
