using System.Security.Cryptography;
using System.Text;
using Berth.Engine.Build.Context;
using Berth.Engine.Errors;
using Berth.Engine.Images;
using Berth.Linux;

namespace Berth.Engine.Build.Copy;

/// <summary>One matched source: its path in the source tree (symlinks resolved) and whether it is a directory.</summary>
public sealed record CopySource(string Path, bool IsDirectory, string Name);

/// <summary>
/// Finds COPY/ADD sources in the build context or in another stage's image, with the classic
/// builder's rules and texts: paths are relative to the source root and may not leave it,
/// wildcards (Go's filepath.Match) are matched against every path, a directory means its
/// contents. The content hash makes the cache key and the history's "file:…"/"dir:…" text.
/// </summary>
public static class CopySources
{
    public static IReadOnlyList<CopySource> Find(LayeredView tree, IReadOnlyList<string> sources, bool fromContext, string instruction)
    {
        var result = new List<CopySource>();
        foreach (var raw in sources)
        {
            string cleaned = DockerIgnore.CleanPath(raw);
            if (fromContext && (cleaned == ".." || cleaned.StartsWith("../", StringComparison.Ordinal)))
            {
                throw DaemonException.InvalidParameter($"Forbidden path outside the build context: {raw} ()");
            }
            string absolute = "/" + DockerIgnore.CleanPath("/" + cleaned).TrimStart('/');
            if (raw.AsSpan().IndexOfAny("*?[") >= 0)
            {
                int before = result.Count;
                Walk(tree, "/", path =>
                {
                    if (GoPathMatch.Match(absolute.TrimStart('/'), path.TrimStart('/')))
                    {
                        result.Add(Make(tree, path));
                    }
                });
                if (result.Count == before)
                {
                    throw DaemonException.InvalidParameter($"{instruction} failed: no source files were specified");
                }
                continue;
            }
            string resolved = tree.Resolve(absolute, followFinal: true);
            if (tree.Lookup(resolved).Kind == NodeKind.Missing)
            {
                throw DaemonException.InvalidParameter(fromContext
                    ? $"{instruction} failed: file not found in build context or excluded by .dockerignore: stat {cleaned}: file does not exist"
                    : $"{instruction} failed: stat {absolute}: file does not exist");
            }
            result.Add(Make(tree, resolved) with { Name = System.IO.Path.GetFileName(absolute) });
        }
        return result;
    }

    private static CopySource Make(LayeredView tree, string path) =>
        new(path, tree.Lookup(path).Kind == NodeKind.Directory, System.IO.Path.GetFileName(path));

    /// <summary>Every path below <paramref name="dir"/> (not following symlinks), parents before children.</summary>
    public static void Walk(LayeredView tree, string dir, Action<string> visit)
    {
        foreach (var name in tree.List(dir))
        {
            string path = dir == "/" ? "/" + name : dir + "/" + name;
            visit(path);
            if (tree.Lookup(path).Kind == NodeKind.Directory)
            {
                Walk(tree, path, visit);
            }
        }
    }

    /// <summary>
    /// sha256 over every copied entry's relative name, type, mode, link target and content (not its
    /// mtime, so a fresh checkout still hits the cache); "file:" for one file, "dir:" otherwise.
    /// </summary>
    public static string Hash(LayeredView tree, IReadOnlyList<CopySource> sources)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var source in sources)
        {
            AddEntry(hash, tree, source.Path, source.Name);
            if (source.IsDirectory)
            {
                Walk(tree, source.Path, path => AddEntry(hash, tree, path, path[source.Path.Length..]));
            }
        }
        string hex = Convert.ToHexStringLower(hash.GetHashAndReset());
        return (sources.Count == 1 && !sources[0].IsDirectory ? "file:" : "dir:") + hex;
    }

    private static void AddEntry(IncrementalHash hash, LayeredView tree, string path, string name)
    {
        string host = tree.HostPath(path) ?? throw DaemonException.InvalidParameter($"stat {path}: file does not exist");
        var stat = FileSys.Lstat(host);
        hash.AppendData(Encoding.UTF8.GetBytes($"{name}\0{stat.Mode:x}\0"));
        if (stat.Type == FileSys.S_IFLNK)
        {
            hash.AppendData(Encoding.UTF8.GetBytes(FileSys.ReadLink(host)));
        }
        else if (stat.Type == FileSys.S_IFREG)
        {
            hash.AppendData(FileHash.Sha256(host));
        }
        hash.AppendData([0]);
    }
}
