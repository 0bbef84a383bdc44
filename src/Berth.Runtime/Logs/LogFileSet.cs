using System.Globalization;
using System.IO.Compression;
using Berth.Linux;
using Microsoft.Win32.SafeHandles;

namespace Berth.Runtime.Logs;

/// <summary>One file of a container's log set, open for reading (a gzip-compressed rotated file has no handle to seek).</summary>
internal sealed class LogFile : IDisposable
{
    private LogFile(string path, SafeFileHandle handle, bool compressed, (ulong, ulong) identity, long length)
    {
        Path = path;
        Handle = handle;
        Compressed = compressed;
        Identity = identity;
        Length = length;
    }

    public string Path { get; }

    public SafeFileHandle Handle { get; }

    public bool Compressed { get; }

    public (ulong Device, ulong Inode) Identity { get; }

    /// <summary>The size when opened: the bytes a tail is counted in.</summary>
    public long Length { get; }

    public static LogFile? TryOpen(string path, bool compressed)
    {
        SafeFileHandle handle;
        try
        {
            // FileShare.ReadWrite | Delete: conmon appends, the rotator renames and deletes.
            handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException or UnauthorizedAccessException)
        {
            return null;
        }
        if (Libc.FileIdentity(handle) is not { } identity)
        {
            handle.Dispose();
            return null;
        }
        return new LogFile(path, handle, compressed, identity, RandomAccess.GetLength(handle));
    }

    /// <summary>A forward stream over the (decompressed) content; the handle stays owned by this file.</summary>
    public Stream OpenDecompressed() =>
        new GZipStream(new FileStream(new SafeFileHandle(Handle.DangerousGetHandle(), ownsHandle: false), FileAccess.Read, 1), CompressionMode.Decompress);

    public void Dispose() => Handle.Dispose();
}

/// <summary>
/// The files of a log set: &lt;path&gt; (current), &lt;path&gt;.1 … &lt;path&gt;.N, each possibly
/// gzip-compressed as &lt;path&gt;.N.gz (dockerd's naming). Opened newest first, so a rotation that
/// happens while opening shows up as a file seen twice (same inode), which is skipped, rather
/// than as a file missed.
/// </summary>
internal static class LogFileSet
{
    /// <summary>Newest first; the current file is first when it exists.</summary>
    public static List<LogFile> Open(string path)
    {
        var files = new List<LogFile>();
        var seen = new HashSet<(ulong, ulong)>();
        if (LogFile.TryOpen(path, compressed: false) is { } current)
        {
            files.Add(current);
            seen.Add(current.Identity);
        }
        for (int i = 1; i < 100_000; i++)
        {
            string rotated = RotatedName(path, i);
            LogFile? file = LogFile.TryOpen(rotated, compressed: false) ?? LogFile.TryOpen(rotated + ".gz", compressed: true);
            if (file is null)
            {
                break;
            }
            if (!seen.Add(file.Identity))
            {
                file.Dispose();
                continue;
            }
            files.Add(file);
        }
        return files;
    }

    public static string RotatedName(string path, int index) => path + "." + index.ToString(CultureInfo.InvariantCulture);
}
