using Berth.Storage.Paths;

namespace Berth.UnitTests.Storage.Paths;

public sealed class ScopedPathTests
{
    /// <summary>(path inside /root, symlinks as "path->target;...", expected result or "ERR").</summary>
    public static TheoryData<string, string, string> Table() => new()
    {
        { "/a/b", "", "/root/a/b" },
        { "//a///b/", "", "/root/a/b" },
        { "/a/./b/.", "", "/root/a/b" },
        { "/../../x", "", "/root/x" },
        { "/a/../../..", "", "/root" },
        { "/", "", "/root" },
        // relative and absolute links
        { "/a/c", "/a->b", "/root/b/c" },
        { "/a/c", "/a->/b", "/root/b/c" },
        { "/a", "/a->/etc/passwd", "/root/etc/passwd" },
        { "/a", "/a->../../../etc", "/root/etc" },
        { "/l/x", "/l->/", "/root/x" },
        { "/l/x", "/l->.", "/root/x" },
        { "/l/x", "/l->..", "/root/x" },
        { "/a/b", "/a->/x/", "/root/x/b" },
        { "/x/y/w", "/x/y->../z", "/root/z/w" },
        { "/a/b/c", "/a/b->../../../../../../c", "/root/c/c" },
        { "/a/b", "/a/b->/a/b2;/a/b2->x", "/root/a/x" },
        // chains
        { "/a", "/a->b;/b->c;/c->/d", "/root/d" },
        { "/a/f", "/a->b;/b->/x/y;/x/y->../z", "/root/z/f" },
        { "/a/q", "/a->b/../../c;/b->/x/y", "/root/c/q" },
        // ".." in the given path is cleaned lexically first (moby: filepath.Join/Abs), so a
        // link before it is never looked at; ".." inside link targets is resolved physically.
        { "/a/../z", "/a->/x/y", "/root/z" },
        { "/a/../../../z", "/a->/x/y", "/root/z" },
        { "/a/z", "/a->/x/y/..", "/root/x/z" },
        // a link pointing at itself through the root
        { "/a/b", "/a->/root/a", "/root/root/a/b" },
        // loops
        { "/a", "/a->a", "ERR" },
        { "/a", "/a->b;/b->a", "ERR" },
        { "/a/x", "/a->/b;/b->/c/../a", "ERR" },
        { "/a", "/a->./a/..", "ERR" },
    };

    [Theory]
    [MemberData(nameof(Table))]
    public void FollowsLinksWithinRoot(string path, string links, string expected)
    {
        var fs = ParseLinks(links);
        PathLstat lstat = p => fs.TryGetValue(p, out var t) ? (PathEntryKind.Symlink, t) : (PathEntryKind.Missing, null);
        if (expected == "ERR")
        {
            var e = Assert.Throws<IOException>(() => ScopedPath.ResolveInScope("/root", path, lstat));
            Assert.Contains("too many links", e.Message, StringComparison.Ordinal);
        }
        else
        {
            Assert.Equal(expected, ScopedPath.ResolveInScope("/root/", path, lstat));
            Assert.Equal(expected, ScopedPath.FollowSymlinkInScope("/root" + ScopedPath.Clean("/" + path), "/root", lstat));
        }
    }

    [Fact]
    public void SameTableOnARealFilesystem()
    {
        foreach (var row in Table())
        {
            var (path, links, expected) = ((string)row[0], (string)row[1], (string)row[2]);
            string root = Directory.CreateTempSubdirectory("berth-scoped-").FullName;
            try
            {
                foreach (var (link, target) in ParseLinks(links))
                {
                    string host = root + link["/root".Length..];
                    Directory.CreateDirectory(Path.GetDirectoryName(host)!);
                    File.CreateSymbolicLink(host, target);
                }
                if (expected == "ERR")
                {
                    Assert.Throws<IOException>(() => ScopedPath.ResolveInScope(root, path));
                }
                else
                {
                    Assert.Equal(root + expected["/root".Length..], ScopedPath.ResolveInScope(root, path));
                }
            }
            finally
            {
                Directory.Delete(root, recursive: true);
            }
        }
    }

    [Fact]
    public void RootSlash()
    {
        var fs = ParseLinks("/root/a->../b");
        PathLstat lstat = p => fs.TryGetValue("/root" + p, out var t) ? (PathEntryKind.Symlink, t) : (PathEntryKind.Missing, null);
        Assert.Equal("/b", ScopedPath.FollowSymlinkInScope("/a", "/", lstat));
    }

    [Theory]
    [InlineData("/rootx/a")]
    [InlineData("/other")]
    [InlineData("relative")]
    public void PathOutsideRootIsRejected(string path) =>
        Assert.Throws<ArgumentException>(() => ScopedPath.FollowSymlinkInScope(path, "/root", _ => (PathEntryKind.Missing, null)));

    [Fact]
    public void LinkLimitIs255Expansions()
    {
        // 255 links in a chain resolve; one more is a loop as far as the limit is concerned.
        var fs = Enumerable.Range(0, 256).ToDictionary(i => $"/root/l{i}", i => $"l{i + 1}");
        PathLstat lstat = p => fs.TryGetValue(p, out var t) ? (PathEntryKind.Symlink, t) : (PathEntryKind.Missing, null);
        Assert.Equal("/root/l256", ScopedPath.FollowSymlinkInScope("/root/l1", "/root", lstat));
        Assert.Throws<IOException>(() => ScopedPath.FollowSymlinkInScope("/root/l0", "/root", lstat));
    }

    [Theory]
    [InlineData("", ".")]
    [InlineData("/", "/")]
    [InlineData("/../a/./b//c/..", "/a/b")]
    [InlineData("a/../../b", "../b")]
    [InlineData("./", ".")]
    public void CleanIsGoClean(string input, string expected) => Assert.Equal(expected, ScopedPath.Clean(input));

    private static Dictionary<string, string> ParseLinks(string links) =>
        links.Split(';', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => l.Split("->", 2))
            .ToDictionary(p => p[0].StartsWith("/root", StringComparison.Ordinal) ? p[0] : "/root" + p[0], p => p[1]);
}
