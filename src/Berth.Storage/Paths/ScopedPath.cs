namespace Berth.Storage.Paths;

/// <summary>What a path component is, as lstat(2) sees it (never following a final symlink).</summary>
public enum PathEntryKind
{
    Missing,
    Symlink,
    Other,
}

/// <summary>lstat + readlink in one call: the kind, and the link text for symlinks.</summary>
public delegate (PathEntryKind Kind, string? LinkTarget) PathLstat(string hostPath);

/// <summary>
/// Lexical symlink evaluation scoped to a root, with moby's FollowSymlinkInScope semantics: the
/// root acts as "/" for ".." and for absolute link targets, missing components are accepted as
/// they are, more than 255 link expansions is an error (loops). As in moby, ".." in the given
/// path is cleaned lexically first (only ".." inside link targets is resolved physically);
/// openat2 resolves every ".." physically, so the two can differ for "link/..".
///
/// This answers "which host path does this container path mean" for building mount targets and
/// messages. It is only a snapshot: a container can change a link right after it ran. Anything
/// that then opens, reads or writes must go through <see cref="Berth.Linux.InRootOpen"/>
/// (openat2 RESOLVE_IN_ROOT), which does the same resolution atomically in the kernel.
/// </summary>
public static class ScopedPath
{
    public const int MaxLinkExpansions = 255;

    /// <summary>
    /// Resolves <paramref name="path"/> (an absolute host path at or under <paramref name="root"/>)
    /// and returns a host path that is always <paramref name="root"/> or beneath it.
    /// </summary>
    public static string FollowSymlinkInScope(string path, string root, PathLstat? lstat = null)
    {
        lstat ??= RealLstat;
        root = Clean(root);
        path = Clean(path);
        if (path == root)
        {
            return path;
        }
        string prefix = root == "/" ? "/" : root + "/";
        if (!path.StartsWith(prefix, StringComparison.Ordinal))
        {
            throw new ArgumentException($"evalSymlinksInScope: {path} is not in {root}", nameof(path));
        }
        // The part still to resolve, and the resolved part (always absolute within the root).
        string pending = path[prefix.Length..];
        var resolved = new List<string>();
        int expansions = 0;
        while (pending.Length > 0)
        {
            int slash = pending.IndexOf('/', StringComparison.Ordinal);
            string part = slash < 0 ? pending : pending[..slash];
            pending = slash < 0 ? "" : pending[(slash + 1)..];
            if (part.Length == 0 || part == ".")
            {
                continue;
            }
            if (part == "..")
            {
                // ".." of the root is the root: the scope is the whole world.
                if (resolved.Count > 0)
                {
                    resolved.RemoveAt(resolved.Count - 1);
                }
                continue;
            }
            string hostPath = Join(root, resolved, part);
            var (kind, target) = lstat(hostPath);
            if (kind != PathEntryKind.Symlink)
            {
                resolved.Add(part);
                continue;
            }
            if (++expansions > MaxLinkExpansions)
            {
                throw new IOException($"evalSymlinksInScope: too many links in {path}");
            }
            target ??= "";
            if (target.StartsWith('/'))
            {
                resolved.Clear();
            }
            pending = pending.Length == 0 ? target : target + "/" + pending;
        }
        return Join(root, resolved, null);
    }

    /// <summary>A container path (relative or absolute) joined to a root and resolved within it.</summary>
    public static string ResolveInScope(string root, string containerPath, PathLstat? lstat = null) =>
        FollowSymlinkInScope(Clean(Clean(root) + "/" + Clean("/" + containerPath)), root, lstat);

    /// <summary>Go's filepath.Clean for absolute and relative Unix paths.</summary>
    public static string Clean(string path)
    {
        if (path.Length == 0)
        {
            return ".";
        }
        bool absolute = path[0] == '/';
        var parts = new List<string>();
        foreach (var part in path.Split('/'))
        {
            if (part.Length == 0 || part == ".")
            {
                continue;
            }
            if (part == "..")
            {
                if (parts.Count > 0 && parts[^1] != "..")
                {
                    parts.RemoveAt(parts.Count - 1);
                }
                else if (!absolute)
                {
                    parts.Add("..");
                }
                continue;
            }
            parts.Add(part);
        }
        string joined = string.Join('/', parts);
        return absolute ? "/" + joined : (joined.Length == 0 ? "." : joined);
    }

    private static string Join(string root, List<string> resolved, string? last)
    {
        var sb = new System.Text.StringBuilder(root == "/" ? "" : root);
        foreach (var part in resolved)
        {
            sb.Append('/').Append(part);
        }
        if (last is not null)
        {
            sb.Append('/').Append(last);
        }
        return sb.Length == 0 ? "/" : sb.ToString();
    }

    private static (PathEntryKind, string?) RealLstat(string hostPath)
    {
        var info = new FileInfo(hostPath);
        if (info.LinkTarget is { } target)
        {
            return (PathEntryKind.Symlink, target);
        }
        return info.Exists || Directory.Exists(hostPath) ? (PathEntryKind.Other, null) : (PathEntryKind.Missing, null);
    }
}
