using System.Security.Cryptography;
using Berth.Engine.Errors;
using Berth.Engine.Images;
using Berth.Storage.Layers;
using static Berth.UnitTests.Storage.Layers.LayerTestKit;

namespace Berth.UnitTests.Storage.Layers;

public sealed class OverlayLayerStoreTests : IDisposable
{
    private readonly TestDataRoot _root = new();

    public void Dispose() => _root.Dispose();

    private static byte[] Layer(string file, string content) => Tar(w => w.WriteEntry(File(file, content)));

    [Fact]
    public async Task Apply_StoresLayerWithOverlay2Layout_AndOpenTarRebuildsIt()
    {
        var store = new OverlayLayerStore(_root.Path);
        var tar = Layer("hello", "world");

        var info = await store.ApplyAsync(null, new MemoryStream(Gzip(tar)), Sha(tar), CancellationToken.None);

        Assert.Equal(Sha(tar), info.DiffId);
        Assert.Equal(info.DiffId, info.ChainId);
        Assert.Equal(5, info.Size);
        Assert.Equal("world", System.IO.File.ReadAllText(Path.Combine(info.DiffPath, "hello")));
        var layerDir = Path.GetDirectoryName(info.DiffPath)!;
        var shortId = System.IO.File.ReadAllText(Path.Combine(layerDir, "link"));
        Assert.Equal(26, shortId.Length);
        Assert.Equal(Path.Combine("..", Path.GetFileName(layerDir), "diff"), new FileInfo(Path.Combine(store.Root, "l", shortId)).LinkTarget);
        using var tarStream = store.OpenTar(info.ChainId);
        Assert.Equal(Sha(tar), Digest.FromHash(SHA256.HashData(tarStream)));
    }

    [Fact]
    public async Task Apply_Stack_ComputesChainIds_AndSurvivesRestart()
    {
        var store = new OverlayLayerStore(_root.Path);
        var a = await store.ApplyAsync(null, new MemoryStream(Layer("a", "1")), null, CancellationToken.None);
        var b = await store.ApplyAsync(a.ChainId, new MemoryStream(Layer("b", "2")), null, CancellationToken.None);

        Assert.Equal(Digest.Chain(a.ChainId, b.DiffId), b.ChainId);
        var reopened = new OverlayLayerStore(_root.Path);
        Assert.Equal(b, reopened.Get(b.ChainId));
        Assert.Equal(2, reopened.List().Count);
    }

    [Fact]
    public async Task Apply_ExistingChain_VerifiesStreamWithoutExtractingAgain()
    {
        var store = new OverlayLayerStore(_root.Path);
        var tar = Layer("f", "x");
        var first = await store.ApplyAsync(null, new MemoryStream(tar), Sha(tar), CancellationToken.None);
        var second = await store.ApplyAsync(null, new MemoryStream(tar), Sha(tar), CancellationToken.None);
        Assert.Equal(first, second);

        var wrong = await Assert.ThrowsAsync<DaemonException>(() =>
            store.ApplyAsync(null, new MemoryStream(Layer("f", "y")), Sha(tar), CancellationToken.None));
        Assert.Equal(ErrorKind.InvalidParameter, wrong.Kind);
        Assert.Single(store.List());
    }

    [Fact]
    public async Task Apply_Concurrently_ExtractsOnce()
    {
        var store = new OverlayLayerStore(_root.Path);
        var tar = Tar(w =>
        {
            for (int i = 0; i < 200; i++)
            {
                w.WriteEntry(File($"d/f{i}", new string('x', 1000)));
            }
        });
        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(i =>
            store.ApplyAsync(null, new MemoryStream(tar), i % 2 == 0 ? Sha(tar) : null, CancellationToken.None)));

        Assert.Single(results.Distinct());
        Assert.Single(store.List());
        Assert.Single(Directory.GetDirectories(store.Root), d => !d.EndsWith("/l", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Apply_WrongDiffId_KeepsNothing()
    {
        var store = new OverlayLayerStore(_root.Path);
        var before = Snapshot(store.Root);
        var error = await Assert.ThrowsAsync<DaemonException>(() =>
            store.ApplyAsync(null, new MemoryStream(Layer("f", "x")), Sha([1, 2, 3]), CancellationToken.None));

        Assert.Equal(ErrorKind.InvalidParameter, error.Kind);
        Assert.StartsWith("layer diff id mismatch: expected sha256:", error.Message, StringComparison.Ordinal);
        Assert.Equal(before, Snapshot(store.Root));
    }

    [Fact]
    public async Task Apply_UnknownParent_IsNotFound()
    {
        var store = new OverlayLayerStore(_root.Path);
        var error = await Assert.ThrowsAsync<DaemonException>(() =>
            store.ApplyAsync(Sha([9]), new MemoryStream(Layer("f", "x")), null, CancellationToken.None));
        Assert.Equal(ErrorKind.NotFound, error.Kind);
    }

    [Fact]
    public async Task Collect_KeepsParentsOfKeptAndReadWriteLayers()
    {
        var store = new OverlayLayerStore(_root.Path);
        var a = await store.ApplyAsync(null, new MemoryStream(Layer("a", "1")), null, CancellationToken.None);
        var b = await store.ApplyAsync(a.ChainId, new MemoryStream(Layer("b", "2")), null, CancellationToken.None);
        var c = await store.ApplyAsync(null, new MemoryStream(Layer("c", "3")), null, CancellationToken.None);
        var d = await store.ApplyAsync(null, new MemoryStream(Layer("d", "44")), null, CancellationToken.None);
        store.CreateReadWrite("ctr1", c.ChainId);
        Directory.CreateDirectory(Path.Combine(store.Root, "tmp-leftover"));

        long freed = store.Collect(new HashSet<Digest> { b.ChainId });

        Assert.Equal(2, freed);
        Assert.NotNull(store.Get(a.ChainId));
        Assert.NotNull(store.Get(c.ChainId));
        Assert.Null(store.Get(d.ChainId));
        Assert.False(Directory.Exists(Path.GetDirectoryName(d.DiffPath)));
        Assert.False(Directory.Exists(Path.Combine(store.Root, "tmp-leftover")));
        Assert.Equal(4, Directory.GetFileSystemEntries(Path.Combine(store.Root, "l")).Length); // a, b, c, ctr1

        store.RemoveReadWrite("ctr1");
        store.Collect(new HashSet<Digest>());
        Assert.Empty(store.List());
        Assert.Empty(Directory.GetFileSystemEntries(Path.Combine(store.Root, "l")));
    }

    [Fact]
    public async Task ReadWrite_MountSpecListsLowersTopFirst()
    {
        var store = new OverlayLayerStore(_root.Path);
        var a = await store.ApplyAsync(null, new MemoryStream(Layer("a", "1")), null, CancellationToken.None);
        var b = await store.ApplyAsync(a.ChainId, new MemoryStream(Layer("b", "2")), null, CancellationToken.None);
        store.CreateReadWrite("ctr", b.ChainId);

        var spec = store.ReadWriteMount("ctr", "/mnt/x");

        var shortOf = (LayerInfo l) => System.IO.File.ReadAllText(Path.Combine(Path.GetDirectoryName(l.DiffPath)!, "link"));
        Assert.Equal("overlay", spec.Type);
        Assert.Contains($"lowerdir={store.Root}/l/{shortOf(b)}:{store.Root}/l/{shortOf(a)}", spec.Options);
        Assert.Contains($"upperdir={store.Root}/ctr/diff", spec.Options);
        Assert.Contains($"workdir={store.Root}/ctr/work", spec.Options);
        Assert.Equal(Path.Combine(store.Root, "ctr", "diff"), store.ReadWriteDiffPath("ctr"));
        Assert.Equal(ErrorKind.Conflict, Assert.Throws<DaemonException>(() => store.CreateReadWrite("ctr", null)).Kind);
        Assert.Equal(ErrorKind.InvalidParameter, Assert.Throws<DaemonException>(() => store.CreateReadWrite("../x", null)).Kind);
        Assert.Equal("ctr", Assert.Single(new OverlayLayerStore(_root.Path).ReadWriteMount("ctr", "/t").Options, o => o.StartsWith("upperdir", StringComparison.Ordinal)).Split('/')[^2]);
    }

    [Fact]
    public void Startup_RemovesUnfinishedExtractions()
    {
        var store = new OverlayLayerStore(_root.Path);
        Directory.CreateDirectory(Path.Combine(store.Root, "tmp-crashed", "diff"));
        _ = new OverlayLayerStore(_root.Path);
        Assert.False(Directory.Exists(Path.Combine(store.Root, "tmp-crashed")));
    }

    internal static string[] Snapshot(string dir) =>
        Directory.Exists(dir) ? [.. Directory.GetFileSystemEntries(dir, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal)] : [];
}
