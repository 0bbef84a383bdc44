using System.Formats.Tar;
using Berth.Engine.Errors;
using Berth.Engine.Images;
using Berth.Linux;
using Berth.Storage.Content;
using Berth.Storage.Layers;
using static Berth.UnitTests.Storage.Layers.LayerTestKit;

namespace Berth.UnitTests.Storage.Layers;

/// <summary>
/// Archives that try to write outside the layer or to exhaust the daemon. A refused archive
/// leaves the data root exactly as it was; an accepted one keeps everything inside the layer.
/// </summary>
public sealed class HostileLayerTests : IDisposable
{
    private static readonly string Marker = "berth-hostile-" + Guid.NewGuid().ToString("N");
    private readonly TestDataRoot _root = new();

    public void Dispose()
    {
        _root.Dispose();
        Assert.False(Path.Exists(Path.Combine("/tmp", Marker)), "an archive wrote to the host");
    }

    private string Outside => Path.GetDirectoryName(_root.Path)!;

    public static TheoryData<string> Refused() =>
    [
        "dotdot", "nested-dotdot", "symlink-dotdot-chain", "nested-symlink-escape", "hardlink-host-file", "hardlink-via-symlink",
        "hardlink-dotdot", "huge-declared-size", "short-content", "truncated-gzip", "truncated-zstd", "garbage",
        "unknown-type", "bad-whiteout", "too-many-entries", "huge-pax-header",
    ];

    private static readonly Dictionary<string, string> Expected = new()
    {
        ["dotdot"] = "is outside of the layer directory",
        ["nested-dotdot"] = "is outside of the layer directory",
        ["symlink-dotdot-chain"] = "invalid symlink",
        ["nested-symlink-escape"] = "invalid symlink",
        ["hardlink-host-file"] = "No such file or directory",
        ["hardlink-via-symlink"] = "No such file or directory",
        ["hardlink-dotdot"] = "invalid hardlink",
        ["huge-declared-size"] = "is 1099511627776 bytes, more than the limit",
        ["short-content"] = "invalid layer tar",
        ["truncated-gzip"] = "invalid layer tar",
        ["truncated-zstd"] = "invalid layer tar",
        ["garbage"] = "invalid layer tar",
        ["unknown-type"] = "unhandled tar header type 'Z'",
        ["bad-whiteout"] = "invalid whiteout path",
        ["too-many-entries"] = "more than 10 entries",
        ["huge-pax-header"] = "invalid layer tar",
    };

    private static byte[] Build(string name) => name switch
    {
        "dotdot" => Tar(w => w.WriteEntry(File("../" + Marker, "x"))),
        "nested-dotdot" => Tar(w => w.WriteEntry(File("a/../../" + Marker, "x"))),
        "symlink-dotdot-chain" => Tar(w => w.WriteEntry(Link(TarEntryType.SymbolicLink, "up", "../../../../tmp"))),
        "nested-symlink-escape" => Tar(w => w.WriteEntry(Link(TarEntryType.SymbolicLink, "a/b/up", "../../../x"))),
        "hardlink-host-file" => Tar(w => w.WriteEntry(Link(TarEntryType.HardLink, "passwd", "/etc/passwd"))),
        "hardlink-via-symlink" => Tar(w =>
        {
            w.WriteEntry(Link(TarEntryType.SymbolicLink, "evil", "/"));
            w.WriteEntry(Link(TarEntryType.HardLink, "passwd", "evil/etc/passwd"));
        }),
        "hardlink-dotdot" => Tar(w => w.WriteEntry(Link(TarEntryType.HardLink, "passwd", "../../../../etc/passwd"))),
        "huge-declared-size" => [.. LayerExtractorTests.Header("big", '0', 1L << 40), .. new byte[4096]],
        "short-content" => [.. LayerExtractorTests.Header("big", '0', 10 << 20), .. new byte[4096]],
        "truncated-gzip" => Gzip(Tar(w => w.WriteEntry(File("f", new string('x', 100_000)))))[..200],
        "truncated-zstd" => Zstd(Tar(w => w.WriteEntry(File("f", new string('x', 100_000)))))[..40],
        "garbage" => [.. Enumerable.Range(0, 2048).Select(i => (byte)(i * 7 + 1))],
        "unknown-type" => [.. LayerExtractorTests.Header("weird", 'Z', 0), .. new byte[1024]],
        "bad-whiteout" => Tar(w => w.WriteEntry(File("a/.wh..", ""))),
        "too-many-entries" => Tar(w =>
        {
            for (int i = 0; i < 20; i++)
            {
                w.WriteEntry(File($"f{i}", ""));
            }
        }),
        "huge-pax-header" => [.. LayerExtractorTests.Header("PaxHeaders/x", 'x', 1L << 30), .. new byte[8192]],
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };

    [Theory]
    [MemberData(nameof(Refused))]
    public async Task Refused_AndNothingChanges(string name)
    {
        var store = new OverlayLayerStore(_root.Path, new ExtractionLimits(10, 1L << 30, 1L << 34));
        var content = new ContentStore(_root.Path);
        content.Write("blob"u8);
        var before = OverlayLayerStoreTests.Snapshot(Outside);
        var passwdLinks = FileSys.Lstat("/etc/passwd").Links;

        var error = await Assert.ThrowsAsync<DaemonException>(() =>
            store.ApplyAsync(null, new MemoryStream(Build(name)), null, CancellationToken.None));

        Assert.Equal(ErrorKind.InvalidParameter, error.Kind);
        Assert.Contains(Expected[name], error.Message, StringComparison.Ordinal);
        Assert.Equal(before, OverlayLayerStoreTests.Snapshot(Outside));
        Assert.Empty(store.List());
        Assert.Equal(passwdLinks, FileSys.Lstat("/etc/passwd").Links);
    }

    [Fact]
    public async Task WrongExpectedDiffId_Refused_AndNothingChanges()
    {
        var store = new OverlayLayerStore(_root.Path);
        var before = OverlayLayerStoreTests.Snapshot(Outside);
        var error = await Assert.ThrowsAsync<DaemonException>(() =>
            store.ApplyAsync(null, new MemoryStream(Tar(w => w.WriteEntry(File("f", "x")))), Sha([0]), CancellationToken.None));
        Assert.Equal(ErrorKind.InvalidParameter, error.Kind);
        Assert.Equal(before, OverlayLayerStoreTests.Snapshot(Outside));
    }

    [Fact]
    public async Task AbsoluteNames_LandInsideTheLayer()
    {
        var store = new OverlayLayerStore(_root.Path);
        var layer = await store.ApplyAsync(null, new MemoryStream(Tar(w =>
        {
            w.WriteEntry(File($"/tmp/{Marker}/abs", "a"));
            w.WriteEntry(File($"/../../tmp/{Marker}/climb", "c"));
        })), null, CancellationToken.None);

        Assert.Equal("a", System.IO.File.ReadAllText(Path.Combine(layer.DiffPath, "tmp", Marker, "abs")));
        Assert.Equal("c", System.IO.File.ReadAllText(Path.Combine(layer.DiffPath, "tmp", Marker, "climb")));
    }

    [Fact]
    public async Task PlantedSymlinks_AreResolvedInsideTheLayer()
    {
        var store = new OverlayLayerStore(_root.Path);
        var layer = await store.ApplyAsync(null, new MemoryStream(Tar(w =>
        {
            w.WriteEntry(Link(TarEntryType.SymbolicLink, "evil", "/"));
            w.WriteEntry(File($"evil/tmp/{Marker}/via-root-link", "1"));
            // Lexically inside (moby accepts both), but walked physically "b" would climb out of the layer.
            w.WriteEntry(Link(TarEntryType.SymbolicLink, "a/up", ".."));
            w.WriteEntry(Link(TarEntryType.SymbolicLink, "b", "/a/up/.."));
            w.WriteEntry(File($"b/tmp/{Marker}/via-dotdot-link", "2"));
            w.WriteEntry(Link(TarEntryType.SymbolicLink, "dangling", $"/tmp/{Marker}/target"));
            w.WriteEntry(File("dangling", "3")); // replaces the link; must not write through it
            w.WriteEntry(File("etc/passwd", "layer's own"));
            w.WriteEntry(Link(TarEntryType.HardLink, "h", "evil/etc/passwd"));
        })), null, CancellationToken.None);

        var inside = Path.Combine(layer.DiffPath, "tmp", Marker);
        Assert.Equal("1", System.IO.File.ReadAllText(Path.Combine(inside, "via-root-link")));
        Assert.Equal("2", System.IO.File.ReadAllText(Path.Combine(inside, "via-dotdot-link")));
        Assert.Equal("3", System.IO.File.ReadAllText(Path.Combine(layer.DiffPath, "dangling")));
        Assert.Equal(FileSys.Lstat(Path.Combine(layer.DiffPath, "etc/passwd")).Inode, FileSys.Lstat(Path.Combine(layer.DiffPath, "h")).Inode);
        Assert.Equal("/", new FileInfo(Path.Combine(layer.DiffPath, "evil")).LinkTarget);
    }

    [Fact]
    public async Task DirectoryThroughSymlinkToFile_IsRefused()
    {
        var store = new OverlayLayerStore(_root.Path);
        var error = await Assert.ThrowsAsync<DaemonException>(() => store.ApplyAsync(null, new MemoryStream(Tar(w =>
        {
            w.WriteEntry(File("file", "x"));
            w.WriteEntry(Link(TarEntryType.SymbolicLink, "link", "/file"));
            w.WriteEntry(File("link/child", "y"));
        })), null, CancellationToken.None));
        Assert.Equal(ErrorKind.InvalidParameter, error.Kind);
    }
}
