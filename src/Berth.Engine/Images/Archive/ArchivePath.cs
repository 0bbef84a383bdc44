namespace Berth.Engine.Images.Archive;

/// <summary>
/// Paths inside an image archive, resolved lexically against the archive root. The spool never
/// creates files by these names (members are stored under counters), so confinement is a matter
/// of refusing names that leave the root, not of trusting the file system.
/// </summary>
public static class ArchivePath
{
    /// <summary>
    /// Cleans "a/./b//c/../d" to "a/b/d". Null for names that are absolute, climb above the root,
    /// contain NUL, or are empty after cleaning.
    /// </summary>
    public static string? Clean(string? name)
    {
        if (string.IsNullOrEmpty(name) || name[0] == '/' || name.Contains('\0', StringComparison.Ordinal))
        {
            return null;
        }
        return Resolve([], name);
    }

    /// <summary>
    /// Where a symlink at <paramref name="linkPath"/> (already clean) pointing at
    /// <paramref name="target"/> leads; null when the target is absolute or escapes the root.
    /// </summary>
    public static string? ResolveLink(string linkPath, string target)
    {
        if (string.IsNullOrEmpty(target) || target[0] == '/' || target.Contains('\0', StringComparison.Ordinal))
        {
            return null;
        }
        var parent = linkPath.Split('/');
        return Resolve(parent[..^1], target);
    }

    private static string? Resolve(IEnumerable<string> start, string relative)
    {
        var parts = new List<string>(start);
        foreach (var part in relative.Split('/'))
        {
            if (part is "" or ".")
            {
                continue;
            }
            if (part == "..")
            {
                if (parts.Count == 0)
                {
                    return null;
                }
                parts.RemoveAt(parts.Count - 1);
                continue;
            }
            parts.Add(part);
        }
        return parts.Count == 0 ? null : string.Join('/', parts);
    }
}
