using System.Formats.Tar;
using System.Globalization;
using System.Text;
using Berth.Engine.Errors;
using Berth.Linux;
using Microsoft.Win32.SafeHandles;

namespace Berth.Storage.Layers;

/// <summary>
/// Creates one tar entry at a time in the confined tree, with pkg/archive's semantics: replace
/// unless dir over dir, implied parents, owner then xattrs then mode then times (chown clears
/// setuid), directory times last, and overlay's whiteout conversion.
/// </summary>
internal sealed class EntryWriter(TarRecorder recorder, TarSplitWriter split, ConfinedTree tree, ExtractionLimits limits)
{
    private const string OpaqueXattr = "trusted.overlay.opaque";
    private const string WhiteoutPrefix = ".wh.";
    private const string WhiteoutMetaPrefix = ".wh..wh.";
    private const string WhiteoutOpaque = ".wh..wh..opq";

    private const long EarlyWritebackSize = 256 * 1024;

    private readonly List<(string Physical, long Atime, long Mtime)> _dirTimes = [];
    private readonly byte[] _buffer = new byte[1024 * 1024];
    private long _declared;
    private List<KeyValuePair<string, byte[]>> _xattrs = [];

    public long Entries { get; set; }
    public long Size { get; private set; }
    public long NextHeader { get; set; }

    public void Apply(TarEntry entry, long dataStart)
    {
        if (entry.EntryType == TarEntryType.GlobalExtendedAttributes)
        {
            return; // moby ignores PAX global headers; their bytes stay in the record
        }
        var name = TarPath.CleanOrThrow(entry.Name);
        // Read now: the raw header bytes are flushed to the record once content starts.
        _xattrs = Xattrs(entry, dataStart);
        try
        {
            Create(entry, name, dataStart);
        }
        catch (ErrnoException e)
        {
            throw ConfinedTree.Failed(entry.Name, e);
        }
    }

    public void ApplyDirectoryTimes()
    {
        // Last, as moby does: creating entries inside a directory bumps its mtime.
        foreach (var (physical, atime, mtime) in _dirTimes)
        {
            int fd = tree.TryOpenExisting(physical);
            if (fd >= 0)
            {
                try
                {
                    FileSys.SetTimes(fd, atime, mtime);
                }
                finally
                {
                    FileSys.Close(fd);
                }
            }
        }
    }

    private void Create(TarEntry entry, string name, long dataStart)
    {
        var type = entry.EntryType;
        uint mode = (uint)entry.Mode & 0xFFF;
        uint uid = (uint)entry.Uid, gid = (uint)entry.Gid;
        if (name.Length == 0)
        {
            if (type != TarEntryType.Directory)
            {
                throw DaemonException.InvalidParameter(Messages.TarInvalid($"\"{entry.Name}\" names the root but is not a directory"));
            }
            SetDirectory(tree.RootFd, entry, "", mode, uid, gid, dataStart);
            return;
        }
        var baseName = TarPath.Base(name);
        var (parentFd, parentPhysical) = tree.Parent(TarPath.Parent(name));
        if (baseName.StartsWith(WhiteoutPrefix, StringComparison.Ordinal))
        {
            Whiteout(entry, baseName, parentFd, parentPhysical, uid, gid);
            return;
        }
        var existing = FileSys.TryLstatAt(parentFd, baseName);
        bool isDir = type == TarEntryType.Directory;
        if (existing is { } st && !(st.Type == FileSys.S_IFDIR && isDir))
        {
            tree.Remove(parentFd, parentPhysical, baseName, st);
            (parentFd, parentPhysical) = tree.Parent(TarPath.Parent(name));
            existing = null;
        }
        var physical = parentPhysical.Length == 0 ? baseName : parentPhysical + "/" + baseName;
        switch (type)
        {
            case TarEntryType.Directory:
                if (existing is null)
                {
                    Check(FileSys.TryMkdirAt(parentFd, baseName, 0x1C0), "mkdir");
                }
                int dirFd = FileSys.TryOpenAt(parentFd, baseName, FileSys.ORdonly | FileSys.ODirectory | FileSys.ONofollow);
                Check(dirFd < 0 ? -dirFd : 0, "open directory");
                try
                {
                    SetDirectory(dirFd, entry, physical, mode, uid, gid, dataStart);
                }
                finally
                {
                    FileSys.Close(dirFd);
                }
                break;
            case TarEntryType.RegularFile or TarEntryType.V7RegularFile:
                RegularFile(entry, parentFd, baseName, physical, mode, uid, gid, dataStart);
                break;
            case TarEntryType.HardLink:
                HardLink(entry, name, parentFd, baseName, mode, uid, gid, dataStart);
                break;
            case TarEntryType.SymbolicLink:
                if (!TarPath.SymlinkTargetIsInside(name, entry.LinkName))
                {
                    throw DaemonException.InvalidParameter(Messages.TarInvalidSymlink(entry.Name, entry.LinkName));
                }
                Check(FileSys.TrySymlinkAt(entry.LinkName, parentFd, baseName), "symlink");
                FileSys.FchownAt(parentFd, baseName, uid, gid);
                SetXattrsAt(parentFd, baseName, entry, dataStart);
                var (sa, sm) = Times(entry);
                FileSys.SetTimesAt(parentFd, baseName, sa, sm);
                break;
            case TarEntryType.CharacterDevice or TarEntryType.BlockDevice or TarEntryType.Fifo:
                uint kind = type switch
                {
                    TarEntryType.CharacterDevice => FileSys.S_IFCHR,
                    TarEntryType.BlockDevice => FileSys.S_IFBLK,
                    _ => FileSys.S_IFIFO,
                };
                var posix = (PosixTarEntry)entry;
                Check(FileSys.TryMknodAt(parentFd, baseName, kind | mode, (uint)posix.DeviceMajor, (uint)posix.DeviceMinor), "mknod");
                SetAttributesAt(parentFd, baseName, entry, mode, uid, gid, dataStart);
                break;
            default:
                throw DaemonException.InvalidParameter(Messages.TarUnhandledType(entry.Name, $"'{(char)type}'"));
        }
    }

    private void Whiteout(TarEntry entry, string baseName, int parentFd, string parentPhysical, uint uid, uint gid)
    {
        if (baseName == WhiteoutOpaque)
        {
            FileSys.Fsetxattr(parentFd, OpaqueXattr, "y"u8);
            return;
        }
        if (baseName.StartsWith(WhiteoutMetaPrefix, StringComparison.Ordinal))
        {
            return; // other AUFS metadata (.wh..wh.plnk, .wh..wh.aufs): not part of the filesystem
        }
        var target = baseName[WhiteoutPrefix.Length..];
        if (target is "" or "." or "..")
        {
            throw DaemonException.InvalidParameter(Messages.TarInvalidWhiteout(entry.Name));
        }
        if (FileSys.TryLstatAt(parentFd, target) is { } st)
        {
            tree.Remove(parentFd, parentPhysical, target, st);
            (parentFd, _) = tree.Parent(TarPath.Parent(TarPath.CleanOrThrow(entry.Name)));
        }
        Check(FileSys.TryMknodAt(parentFd, target, FileSys.S_IFCHR, 0, 0), "mknod whiteout");
        FileSys.FchownAt(parentFd, target, uid, gid);
    }

    private void RegularFile(TarEntry entry, int parentFd, string baseName, string physical, uint mode, uint uid, uint gid, long dataStart)
    {
        long length = entry.Length;
        if (length > limits.MaxFileSize)
        {
            throw DaemonException.InvalidParameter(Messages.TarFileTooLarge(entry.Name, length, limits.MaxFileSize));
        }
        if ((_declared += length) > limits.MaxTotalSize)
        {
            throw DaemonException.InvalidParameter(Messages.TarTotalTooLarge(limits.MaxTotalSize));
        }
        int fd = FileSys.TryOpenAt(parentFd, baseName, FileSys.OWronly | FileSys.OCreat | FileSys.OExcl | FileSys.ONofollow, 0x180);
        Check(fd < 0 ? -fd : 0, "create");
        using var handle = new SafeFileHandle(fd, ownsHandle: true);
        if (length > 0)
        {
            recorder.BeginContent();
            long offset = 0;
            var data = entry.DataStream!;
            int n;
            while (offset < length && (n = data.Read(_buffer, 0, (int)Math.Min(_buffer.Length, length - offset))) > 0)
            {
                try
                {
                    RandomAccess.Write(handle, _buffer.AsSpan(0, n), offset);
                }
                catch (IOException e)
                {
                    throw DaemonException.System(Messages.TarEntryFailed(entry.Name, e.Message), e);
                }
                offset += n;
            }
            recorder.EndContent(physical, length, dataStart);
            tree.RecordContent(physical, split.FileCount - 1);
            if (length >= EarlyWritebackSize)
            {
                // The disk writes overlap the rest of the download instead of all waiting for the final sync.
                FileSys.StartWriteback(fd);
            }
        }
        FileSys.Fchown(fd, uid, gid); // before chmod: chown clears setuid/setgid
        foreach (var (key, value) in _xattrs)
        {
            FileSys.Fsetxattr(fd, key, value);
        }
        FileSys.Fchmod(fd, mode);
        var (atime, mtime) = Times(entry);
        FileSys.SetTimes(fd, atime, mtime);
        Size += length;
    }

    private void HardLink(TarEntry entry, string name, int parentFd, string baseName, uint mode, uint uid, uint gid, long dataStart)
    {
        var target = TarPath.Clean(entry.LinkName);
        if (target is null or "")
        {
            throw DaemonException.InvalidParameter(Messages.TarInvalidHardlink(entry.Name, entry.LinkName));
        }
        // Resolved in the layer root like every other path: only entries of this layer can be linked.
        int targetDir = tree.TryOpenExisting(TarPath.Parent(target));
        try
        {
            Check(targetDir < 0 ? -targetDir : FileSys.TryLinkAt(targetDir, TarPath.Base(target), parentFd, baseName),
                $"link to \"{entry.LinkName}\"");
        }
        finally
        {
            FileSys.Close(targetDir);
        }
        // moby applies the link header's owner, xattrs, mode and times to the shared inode too.
        if (FileSys.TryLstatAt(parentFd, baseName) is { } st && st.Type == FileSys.S_IFLNK)
        {
            FileSys.FchownAt(parentFd, baseName, uid, gid);
            SetXattrsAt(parentFd, baseName, entry, dataStart);
            return;
        }
        SetAttributesAt(parentFd, baseName, entry, mode, uid, gid, dataStart);
        _ = name;
    }

    private void SetDirectory(int fd, TarEntry entry, string physical, uint mode, uint uid, uint gid, long dataStart)
    {
        FileSys.Fchown(fd, uid, gid);
        foreach (var (key, value) in _xattrs)
        {
            FileSys.Fsetxattr(fd, key, value);
        }
        FileSys.Fchmod(fd, mode);
        var (atime, mtime) = Times(entry);
        _dirTimes.Add((physical, atime, mtime));
    }

    private void SetAttributesAt(int parentFd, string baseName, TarEntry entry, uint mode, uint uid, uint gid, long dataStart)
    {
        FileSys.FchownAt(parentFd, baseName, uid, gid);
        SetXattrsAt(parentFd, baseName, entry, dataStart);
        FileSys.FchmodAt(parentFd, baseName, mode);
        var (atime, mtime) = Times(entry);
        FileSys.SetTimesAt(parentFd, baseName, atime, mtime);
    }

    private void SetXattrsAt(int parentFd, string baseName, TarEntry entry, long dataStart)
    {
        foreach (var (key, value) in _xattrs)
        {
            FileSys.LsetxattrAt(parentFd, baseName, key, value);
        }
    }

    private List<KeyValuePair<string, byte[]>> Xattrs(TarEntry entry, long dataStart)
    {
        if (entry is not PaxTarEntry pax || !pax.ExtendedAttributes.Keys.Any(k => k.StartsWith(PaxRecords.XattrPrefix, StringComparison.Ordinal)))
        {
            return [];
        }
        return PaxRecords.Xattrs(recorder.Region, recorder.RegionStart, NextHeader, dataStart)
            ?? pax.ExtendedAttributes.Where(kv => kv.Key.StartsWith(PaxRecords.XattrPrefix, StringComparison.Ordinal))
                .Select(kv => new KeyValuePair<string, byte[]>(kv.Key[PaxRecords.XattrPrefix.Length..], Encoding.UTF8.GetBytes(kv.Value)))
                .ToList();
    }

    private static void Check(int errno, string operation)
    {
        if (errno != 0)
        {
            throw new ErrnoException(operation, errno);
        }
    }

    /// <summary>moby: atime = later of atime and mtime; times before the epoch become the epoch. Nanoseconds.</summary>
    private static (long Atime, long Mtime) Times(TarEntry entry)
    {
        long mtime = (entry.ModificationTime.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) * 100;
        long atime = long.MinValue;
        if (entry is PaxTarEntry pax)
        {
            mtime = PaxTime(pax, "mtime") ?? mtime;
            atime = PaxTime(pax, "atime") ?? atime;
        }
        else if (entry is GnuTarEntry gnu && gnu.AccessTime > DateTimeOffset.UnixEpoch)
        {
            atime = (gnu.AccessTime.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) * 100;
        }
        mtime = Math.Max(mtime, 0);
        return (Math.Max(atime, mtime), mtime);
    }

    /// <summary>A PAX time ("1700000000.123456789") to nanoseconds, keeping the precision .NET's ticks drop.</summary>
    private static long? PaxTime(PaxTarEntry pax, string key)
    {
        if (!pax.ExtendedAttributes.TryGetValue(key, out var text))
        {
            return null;
        }
        var parts = text.Split('.', 2);
        if (!long.TryParse(parts[0], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long seconds) || seconds > 9_000_000_000L || seconds < -9_000_000_000L)
        {
            return null;
        }
        long ns = 0;
        if (parts.Length == 2)
        {
            var frac = (parts[1] + "000000000")[..9];
            if (!long.TryParse(frac, NumberStyles.None, CultureInfo.InvariantCulture, out ns))
            {
                return null;
            }
        }
        return seconds * 1_000_000_000L + (seconds < 0 && ns > 0 ? -ns : ns);
    }
}
