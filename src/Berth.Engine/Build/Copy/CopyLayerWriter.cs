using System.Formats.Tar;
using Berth.Engine.Build.Context;
using Berth.Linux;

namespace Berth.Engine.Build.Copy;

/// <summary>uid/gid for copied entries (--chown; root by default) and an optional --chmod.</summary>
public sealed record CopyOwnership(int Uid, int Gid, UnixFileMode? Mode);

/// <summary>
/// Writes the layer a COPY/ADD makes as a tar, without a container or a mount: entries at their
/// destinations as the target image resolves them (its symlinks followed inside its root), and
/// an entry for every ancestor directory carrying the attributes it already has in the image, so
/// the new layer never changes /tmp's 1777 into an implied 0755.
/// </summary>
public sealed class CopyLayerWriter(LayeredView target, TarWriter tar, CopyOwnership owner)
{
    private readonly HashSet<string> _written = new(StringComparer.Ordinal);

    /// <summary>Copies one file (or symlink) to <paramref name="destPath"/>.</summary>
    public void CopyFile(LayeredView source, string sourcePath, string destPath)
    {
        string parent = EnsureDirectory(Parent(destPath));
        WriteEntry(source, sourcePath, Join(parent, Path.GetFileName(destPath)));
    }

    /// <summary>Copies a directory's contents into <paramref name="destDir"/> (created when missing).</summary>
    public void CopyDirectory(LayeredView source, string sourceDir, string destDir)
    {
        string resolvedParent = EnsureDirectory(Parent(destDir));
        string dest = Resolve(Join(resolvedParent, Path.GetFileName(destDir)));
        WriteEntry(source, sourceDir, dest);
        foreach (var name in source.List(sourceDir))
        {
            string child = sourceDir == "/" ? "/" + name : sourceDir + "/" + name;
            if (source.Lookup(child).Kind == NodeKind.Directory)
            {
                CopyDirectory(source, child, Join(dest, name));
            }
            else
            {
                WriteEntry(source, child, Join(dest, name));
            }
        }
    }

    /// <summary>Makes sure the directory and its ancestors have entries; returns its resolved path.</summary>
    public string EnsureDirectory(string dir)
    {
        if (dir == "/")
        {
            return "/";
        }
        string parent = EnsureDirectory(Parent(dir));
        string path = Resolve(Join(parent, Path.GetFileName(dir)));
        if (_written.Contains(path))
        {
            return path;
        }
        var (kind, _) = target.Lookup(path);
        var entry = new PaxTarEntry(TarEntryType.Directory, path.TrimStart('/') + "/");
        if (kind == NodeKind.Directory && target.HostPath(path) is { } host)
        {
            var stat = FileSys.Lstat(host);
            entry.Mode = (UnixFileMode)(stat.Mode & 0xFFF);
            entry.Uid = (int)stat.Uid;
            entry.Gid = (int)stat.Gid;
            entry.ModificationTime = DateTimeOffset.FromUnixTimeSeconds(stat.MtimeSeconds);
        }
        else
        {
            entry.Mode = (UnixFileMode)0x1ED; // 0755
            entry.Uid = owner.Uid;
            entry.Gid = owner.Gid;
            entry.ModificationTime = DateTimeOffset.UtcNow;
        }
        tar.WriteEntry(entry);
        _written.Add(path);
        return path;
    }

    private void WriteEntry(LayeredView source, string sourcePath, string destPath)
    {
        string host = source.HostPath(sourcePath) ?? throw new FileNotFoundException(sourcePath);
        var stat = FileSys.Lstat(host);
        string name = destPath.TrimStart('/');
        PaxTarEntry entry;
        FileStream? data = null;
        switch (stat.Type)
        {
            case FileSys.S_IFDIR:
                entry = new PaxTarEntry(TarEntryType.Directory, name + "/");
                _written.Add(destPath);
                break;
            case FileSys.S_IFLNK:
                entry = new PaxTarEntry(TarEntryType.SymbolicLink, name) { LinkName = FileSys.ReadLink(host) };
                break;
            case FileSys.S_IFREG:
                entry = new PaxTarEntry(TarEntryType.RegularFile, name);
                data = File.OpenRead(host);
                entry.DataStream = data;
                break;
            default:
                return; // Devices, FIFOs and sockets are not copied.
        }
        using (data)
        {
            bool applyChmod = owner.Mode is not null && stat.Type != FileSys.S_IFLNK;
            entry.Mode = applyChmod ? owner.Mode!.Value : (UnixFileMode)(stat.Mode & 0xFFF);
            entry.Uid = owner.Uid;
            entry.Gid = owner.Gid;
            entry.ModificationTime = DateTimeOffset.FromUnixTimeSeconds(stat.MtimeSeconds).AddTicks(stat.MtimeNanoseconds / 100);
            tar.WriteEntry(entry);
        }
    }

    /// <summary>A directory path as the image resolves it (only needed where the image has something).</summary>
    private string Resolve(string path) =>
        _written.Contains(path) || target.Lookup(path).Kind == NodeKind.Missing ? path : target.Resolve(path, followFinal: true);

    private static string Parent(string path)
    {
        int slash = path.TrimEnd('/').LastIndexOf('/');
        return slash <= 0 ? "/" : path[..slash];
    }

    private static string Join(string dir, string name) => dir == "/" ? "/" + name : dir + "/" + name;
}
