using System.Text;
using Berth.Linux;

namespace Berth.Engine.Build.Context;

/// <summary>What a path is in an image's merged filesystem.</summary>
public enum NodeKind
{
    Missing,
    Directory,
    File,
    Symlink,
    Other,
}

/// <summary>
/// An image's filesystem read through its unpacked layer directories (top first) with overlay's
/// rules — a 0/0 character device hides a name, an opaque directory hides everything below it —
/// without mounting anything. COPY uses it to resolve its destination as the container would see
/// it (symlinks followed inside the image root, e.g. merged-usr /bin → usr/bin) and to read
/// /etc/passwd and /etc/group for --chown.
/// </summary>
public sealed class LayeredView(IReadOnlyList<string> layerDirsTopFirst)
{
    private const int MaxSymlinks = 40;

    /// <summary>The kind of a path as found (no final-symlink following) and the layer dir that holds it.</summary>
    public (NodeKind Kind, string? LayerDir) Lookup(string absolutePath)
    {
        string relative = absolutePath.Trim('/');
        if (relative.Length == 0)
        {
            return (NodeKind.Directory, layerDirsTopFirst.Count > 0 ? layerDirsTopFirst[0] : null);
        }
        foreach (var dir in layerDirsTopFirst)
        {
            if (IsHiddenByOpaqueAncestor(dir, relative, out bool hidden) && hidden)
            {
                return (NodeKind.Missing, null);
            }
            var stat = FileSys.TryLstatAt(FileSys.AtFdCwd, Path.Combine(dir, relative));
            if (stat is not { } s)
            {
                continue;
            }
            if (s.Type == FileSys.S_IFCHR && s.RdevMajor == 0 && s.RdevMinor == 0)
            {
                return (NodeKind.Missing, null); // whiteout
            }
            return (s.Type switch
            {
                FileSys.S_IFDIR => NodeKind.Directory,
                FileSys.S_IFREG => NodeKind.File,
                FileSys.S_IFLNK => NodeKind.Symlink,
                _ => NodeKind.Other,
            }, dir);
        }
        return (NodeKind.Missing, null);
    }

    /// <summary>
    /// True (and hidden=true) when an ancestor of <paramref name="relative"/> in this layer is an
    /// opaque directory that does not contain it, so lower layers must not be consulted.
    /// </summary>
    private static bool IsHiddenByOpaqueAncestor(string layerDir, string relative, out bool hidden)
    {
        hidden = false;
        int slash = relative.LastIndexOf('/');
        while (slash > 0)
        {
            string ancestor = Path.Combine(layerDir, relative[..slash]);
            if (IsOpaque(ancestor) && FileSys.TryLstatAt(FileSys.AtFdCwd, Path.Combine(layerDir, relative)) is null)
            {
                hidden = true;
                return true;
            }
            slash = relative.LastIndexOf('/', slash - 1);
        }
        return false;
    }

    /// <summary>
    /// Resolves every symlink on the way to <paramref name="absolutePath"/> inside the image root
    /// (".." stops at "/", absolute targets restart at the image root), the final one only when
    /// asked. Returns a clean absolute path.
    /// </summary>
    public string Resolve(string absolutePath, bool followFinal)
    {
        var done = new List<string>();
        var todo = new Queue<string>(Split(absolutePath));
        int hops = 0;
        while (todo.Count > 0)
        {
            string part = todo.Dequeue();
            if (part == "..")
            {
                if (done.Count > 0)
                {
                    done.RemoveAt(done.Count - 1);
                }
                continue;
            }
            done.Add(part);
            bool last = todo.Count == 0;
            string current = "/" + string.Join('/', done);
            var (kind, layer) = Lookup(current);
            if (kind != NodeKind.Symlink || (last && !followFinal))
            {
                continue;
            }
            if (++hops > MaxSymlinks)
            {
                throw Errors.DaemonException.InvalidParameter($"too many levels of symbolic links: {absolutePath}");
            }
            string target = FileSys.ReadLink(Path.Combine(layer!, current.TrimStart('/')));
            done.RemoveAt(done.Count - 1);
            if (target.StartsWith('/'))
            {
                done.Clear();
            }
            var rest = todo.ToList();
            todo.Clear();
            foreach (var p in Split(target).Concat(rest))
            {
                todo.Enqueue(p);
            }
        }
        return "/" + string.Join('/', done);
    }

    /// <summary>The content of a regular file in the image (resolving symlinks), or null.</summary>
    public string? ReadText(string absolutePath)
    {
        string resolved = Resolve(absolutePath, followFinal: true);
        var (kind, layer) = Lookup(resolved);
        if (kind != NodeKind.File)
        {
            return null;
        }
        return File.ReadAllText(Path.Combine(layer!, resolved.TrimStart('/')), Encoding.UTF8);
    }

    /// <summary>The host path of the layer entry that a (resolved, existing) path shows.</summary>
    public string? HostPath(string absolutePath)
    {
        var (kind, layer) = Lookup(absolutePath);
        return kind == NodeKind.Missing || layer is null ? null : Path.Combine(layer, absolutePath.TrimStart('/'));
    }

    /// <summary>The merged names in a directory: upper layers first, whiteouts hide, an opaque directory ends the walk.</summary>
    public IReadOnlyList<string> List(string absolutePath)
    {
        string relative = absolutePath.Trim('/');
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var result = new List<string>();
        foreach (var layer in layerDirsTopFirst)
        {
            string dir = relative.Length == 0 ? layer : Path.Combine(layer, relative);
            var stat = FileSys.TryLstatAt(FileSys.AtFdCwd, dir);
            if (stat is not { } s)
            {
                if (relative.Length > 0 && IsHiddenByOpaqueAncestor(layer, relative, out bool hidden) && hidden)
                {
                    break;
                }
                continue;
            }
            if (s.Type != FileSys.S_IFDIR)
            {
                break; // A non-directory here hides the lower directories.
            }
            foreach (var entry in Directory.EnumerateFileSystemEntries(dir))
            {
                string name = Path.GetFileName(entry);
                if (!seen.Add(name))
                {
                    continue;
                }
                var child = FileSys.TryLstatAt(FileSys.AtFdCwd, entry);
                if (child is { } c && !(c.Type == FileSys.S_IFCHR && c.RdevMajor == 0 && c.RdevMinor == 0))
                {
                    result.Add(name);
                }
            }
            if (IsOpaque(dir))
            {
                break;
            }
        }
        result.Sort(StringComparer.Ordinal);
        return result;
    }

    /// <summary>An existing directory marked opaque; a name this layer does not have is not.</summary>
    private static bool IsOpaque(string path) =>
        FileSys.TryLstatAt(FileSys.AtFdCwd, path) is { Type: FileSys.S_IFDIR } && FileSys.Lgetxattr(path, "trusted.overlay.opaque") is [(byte)'y'];

    private static IEnumerable<string> Split(string path) =>
        path.Split('/', StringSplitOptions.RemoveEmptyEntries).Where(p => p != ".");
}
