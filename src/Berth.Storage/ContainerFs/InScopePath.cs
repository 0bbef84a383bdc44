using Berth.Linux;

namespace Berth.Storage.ContainerFs;

/// <summary>
/// Resolves a container path to the absolute path it names inside the root, following symlinks
/// one component at a time with readlink on descriptors (moby's FollowSymlinkInScope). The
/// result only names a path: every later open still goes through openat2 RESOLVE_IN_ROOT, so a
/// symlink swapped in after this walk can change which file is used, never leave the root.
/// </summary>
internal static class InScopePath
{
    private const int MaxLinks = 255;

    /// <summary>The resolved absolute path ("/" for the root); the final component is followed only when asked.</summary>
    public static string Resolve(int rootFd, string path, bool followFinal)
    {
        var resolved = new List<string>();
        var pending = new Stack<string>(Components(path).Reverse());
        int links = 0;
        while (pending.Count > 0)
        {
            string part = pending.Pop();
            if (part == ".")
            {
                continue;
            }
            if (part == "..")
            {
                if (resolved.Count > 0)
                {
                    resolved.RemoveAt(resolved.Count - 1);
                }
                continue;
            }
            bool last = pending.Count == 0;
            string candidate = "/" + string.Join('/', [.. resolved, part]);
            if (last && !followFinal)
            {
                resolved.Add(part);
                break;
            }
            int parent = FileSys.TryOpenInRoot(rootFd, resolved.Count == 0 ? "." : string.Join('/', resolved), FileSys.ORdonly | FileSys.ODirectory);
            if (parent < 0)
            {
                // A missing or non-directory parent: the rest is kept as given, the open later reports it.
                resolved.Add(part);
                continue;
            }
            try
            {
                if (FileSys.TryLstatAt(parent, part) is { Type: FileSys.S_IFLNK })
                {
                    if (++links > MaxLinks)
                    {
                        throw new ErrnoException($"resolve {path}", 40); // ELOOP
                    }
                    string target = FdTree.ReadLinkAt(parent, part);
                    if (target.StartsWith('/'))
                    {
                        resolved.Clear();
                    }
                    foreach (string p in Components(target).Reverse())
                    {
                        pending.Push(p);
                    }
                    continue;
                }
            }
            finally
            {
                FileSys.Close(parent);
            }
            resolved.Add(part);
            _ = candidate;
        }
        return "/" + string.Join('/', resolved);
    }

    private static IEnumerable<string> Components(string path) => path.Split('/', StringSplitOptions.RemoveEmptyEntries);

    /// <summary>The path relative to the root, for openat2 ("." for the root).</summary>
    public static string Relative(string absolute) => absolute.Trim('/') is { Length: > 0 } r ? r : ".";
}
