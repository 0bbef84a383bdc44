using Berth.Engine.Errors;

namespace Berth.Storage.Layers;

/// <summary>
/// pkg/archive's name rules, done lexically: a name is cleaned like Go's filepath.Clean and
/// joined to the layer root, so "/etc/x" lands at "etc/x" and "/../x" at "x"; a relative name
/// whose ".." climbs above the root ("../x", "a/../../x") is a breakout and refused.
/// </summary>
internal static class TarPath
{
    /// <summary>The cleaned relative path ("" for the root itself), or null when it escapes the root.</summary>
    public static string? Clean(string name)
    {
        var parts = new List<string>();
        bool absolute = name.StartsWith('/');
        foreach (var part in name.Split('/'))
        {
            if (part.Length == 0 || part == ".")
            {
                continue;
            }
            if (part == "..")
            {
                if (parts.Count > 0)
                {
                    parts.RemoveAt(parts.Count - 1);
                }
                else if (!absolute)
                {
                    return null; // Clean keeps a leading "..", which Join then puts outside the root
                }
                continue;
            }
            parts.Add(part);
        }
        return string.Join('/', parts);
    }

    public static string CleanOrThrow(string name) =>
        Clean(name) ?? throw DaemonException.InvalidParameter(Messages.TarPathOutside(name));

    /// <summary>
    /// moby's symlink check: Join(Dir(path), target) must stay under the root. An absolute target
    /// is joined too (so "/" is fine); only relative climbs past the root are refused.
    /// </summary>
    public static bool SymlinkTargetIsInside(string cleanedPath, string target)
    {
        // Join(root/dir, target): a leading "/" of the target is just a separator there.
        var dir = Parent(cleanedPath);
        var joined = dir.Length == 0 ? target : dir + "/" + target;
        return Clean(joined.TrimStart('/')) is not null;
    }

    public static string Parent(string cleaned)
    {
        int slash = cleaned.LastIndexOf('/');
        return slash < 0 ? "" : cleaned[..slash];
    }

    public static string Base(string cleaned) => cleaned[(cleaned.LastIndexOf('/') + 1)..];
}
