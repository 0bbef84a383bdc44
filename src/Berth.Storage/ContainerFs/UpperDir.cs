using System.Formats.Tar;
using Berth.Engine.Containers;
using Berth.Linux;

namespace Berth.Storage.ContainerFs;

/// <summary>
/// A container's overlay upper directory read as a diff: docker diff's change list and commit's
/// layer tar. Overlay records deletions as 0/0 character devices and replaced directories with
/// the trusted.overlay.opaque xattr; in a layer tar those become ".wh.&lt;name&gt;" and
/// ".wh..wh..opq" entries (moby's overlay whiteout conversion, reversed).
/// </summary>
internal static class UpperDir
{
    private const string OpaqueXattr = "trusted.overlay.opaque";
    private const string WhiteoutPrefix = ".wh.";
    private const string OpaqueMarker = ".wh..wh..opq";

    public static List<FileChange> Changes(string upperDir, IReadOnlyList<string> lowerDirs)
    {
        var changes = new List<FileChange>();
        int root = FileSys.OpenDirectory(upperDir);
        try
        {
            WalkChanges(root, "", lowerDirs, changes);
        }
        finally
        {
            FileSys.Close(root);
        }
        changes.Sort((a, b) => string.CompareOrdinal(a.Path, b.Path));
        return changes;
    }

    private static void WalkChanges(int dirFd, string prefix, IReadOnlyList<string> lowerDirs, List<FileChange> changes)
    {
        foreach (string name in FdTree.Names(dirFd))
        {
            if (FileSys.TryLstatAt(dirFd, name) is not { } st)
            {
                continue;
            }
            string path = prefix + "/" + name;
            if (IsWhiteout(st))
            {
                changes.Add(new FileChange(path, 2));
                continue;
            }
            bool inLower = lowerDirs.Any(l => FileSys.TryLstatAt(FileSys.AtFdCwd, l + path) is not null);
            changes.Add(new FileChange(path, inLower ? 0 : 1));
            if (st.Type == FileSys.S_IFDIR)
            {
                int child = FdTree.OpenDirAt(dirFd, name);
                try
                {
                    // Below an opaque directory nothing of the lower layers is visible: all is new.
                    WalkChanges(child, path, IsOpaque(child) ? [] : lowerDirs, changes);
                }
                finally
                {
                    FileSys.Close(child);
                }
            }
        }
    }

    public static void WriteLayer(string upperDir, Stream output, CancellationToken cancellationToken)
    {
        int root = FileSys.OpenDirectory(upperDir);
        if (FdTree.Names(root).Count == 0)
        {
            // TarWriter writes no end-of-archive blocks without entries; an empty layer is exactly those.
            FileSys.Close(root);
            output.Write(new byte[1024]);
            return;
        }
        using var writer = new TarWriter(output, TarEntryFormat.Pax, leaveOpen: true);
        try
        {
            var links = new Dictionary<(ulong, ulong, ulong), string>();
            WalkLayer(root, "", writer, links, cancellationToken);
        }
        finally
        {
            FileSys.Close(root);
        }
    }

    private static void WalkLayer(int dirFd, string prefix, TarWriter writer, Dictionary<(ulong, ulong, ulong), string> links, CancellationToken cancellationToken)
    {
        foreach (string name in FdTree.Names(dirFd))
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (FileSys.TryLstatAt(dirFd, name) is not { } st)
            {
                continue;
            }
            string path = prefix + name;
            if (IsWhiteout(st))
            {
                writer.WriteEntry(TarEntries.Header(TarEntryType.RegularFile, prefix + WhiteoutPrefix + name, st));
                continue;
            }
            if (st.Type == FileSys.S_IFDIR)
            {
                writer.WriteEntry(TarEntries.Header(TarEntryType.Directory, path + "/", st));
                int child = FdTree.OpenDirAt(dirFd, name);
                try
                {
                    if (IsOpaque(child))
                    {
                        writer.WriteEntry(TarEntries.Header(TarEntryType.RegularFile, path + "/" + OpaqueMarker, st));
                    }
                    WalkLayer(child, path + "/", writer, links, cancellationToken);
                }
                finally
                {
                    FileSys.Close(child);
                }
                continue;
            }
            TarEntries.WriteNonDirectory(writer, dirFd, name, path, st, links);
        }
    }

    private static bool IsWhiteout(FileStat st) => st.Type == FileSys.S_IFCHR && st.RdevMajor == 0 && st.RdevMinor == 0;

    private static bool IsOpaque(int dirFd) => FileSys.Fgetxattr(dirFd, OpaqueXattr) is [(byte)'y'];
}

/// <summary>Tar entries from lstat results and descriptors, shared by commit and docker cp.</summary>
internal static class TarEntries
{
    public static PaxTarEntry Header(TarEntryType type, string name, FileStat st)
    {
        var entry = new PaxTarEntry(type, name)
        {
            Mode = (UnixFileMode)(st.Mode & 0xFFF),
            Uid = (int)st.Uid,
            Gid = (int)st.Gid,
            ModificationTime = DateTimeOffset.FromUnixTimeSeconds(st.MtimeSeconds).AddTicks(st.MtimeNanoseconds / 100),
        };
        return entry;
    }

    /// <summary>Regular files (hard links to an inode already written become link entries), symlinks, fifos, devices.</summary>
    public static void WriteNonDirectory(TarWriter writer, int dirFd, string name, string path, FileStat st,
        Dictionary<(ulong, ulong, ulong), string> links)
    {
        switch (st.Type)
        {
            case FileSys.S_IFREG:
                var key = (st.DevMajor, st.DevMinor, st.Inode);
                if (st.Links > 1 && links.TryGetValue(key, out string? first))
                {
                    var link = Header(TarEntryType.HardLink, path, st);
                    link.LinkName = first;
                    writer.WriteEntry(link);
                    return;
                }
                if (st.Links > 1)
                {
                    links[key] = path;
                }
                using (var handle = FdTree.OpenFileAt(dirFd, name))
                using (var stream = new FileStream(handle, FileAccess.Read, 0))
                {
                    var file = Header(TarEntryType.RegularFile, path, st);
                    // The size is what the header promised: a file growing meanwhile is cut, a shrinking one padded.
                    file.DataStream = new ExactLengthStream(stream, (long)st.Size);
                    writer.WriteEntry(file);
                }
                return;
            case FileSys.S_IFLNK:
                var symlink = Header(TarEntryType.SymbolicLink, path, st);
                symlink.LinkName = FdTree.ReadLinkAt(dirFd, name);
                writer.WriteEntry(symlink);
                return;
            case FileSys.S_IFIFO:
                writer.WriteEntry(Header(TarEntryType.Fifo, path, st));
                return;
            case FileSys.S_IFCHR or FileSys.S_IFBLK:
                var device = Header(st.Type == FileSys.S_IFCHR ? TarEntryType.CharacterDevice : TarEntryType.BlockDevice, path, st);
                device.DeviceMajor = (int)st.RdevMajor;
                device.DeviceMinor = (int)st.RdevMinor;
                writer.WriteEntry(device);
                return;
            default:
                return; // sockets are not archived (Go's archive/tar refuses them too)
        }
    }
}

/// <summary>Reads exactly <c>length</c> bytes from the inner stream: cut when longer, zero-padded when shorter.</summary>
internal sealed class ExactLengthStream(Stream inner, long length) : Stream
{
    private const int CopyBufferSize = 1 << 20;
    private long _position;

    public override bool CanRead => true;
    public override bool CanSeek => true; // TarWriter needs Length; position moves only forward
    public override bool CanWrite => false;
    public override long Length => length;
    public override long Position { get => _position; set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        long left = length - _position;
        if (left <= 0)
        {
            return 0;
        }
        var span = buffer[..(int)Math.Min(buffer.Length, left)];
        int n = inner.Read(span);
        if (n == 0)
        {
            span.Clear();
            n = span.Length;
        }
        _position += n;
        return n;
    }

    /// <summary>
    /// TarWriter copies an entry's data with Stream.CopyTo, whose default buffer is 80 KiB: 1 MiB
    /// reads take a fraction of the syscalls and of the writes into the response pipe.
    /// </summary>
    public override void CopyTo(Stream destination, int bufferSize)
    {
        byte[] buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(CopyBufferSize);
        try
        {
            int read;
            while ((read = Read(buffer.AsSpan(0, CopyBufferSize))) > 0)
            {
                destination.Write(buffer, 0, read);
            }
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) =>
        origin == SeekOrigin.Current && offset == 0 ? _position : throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
