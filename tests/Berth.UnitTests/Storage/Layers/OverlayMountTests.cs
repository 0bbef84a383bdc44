using System.Formats.Tar;
using Berth.Engine.Images;
using Berth.Linux;
using Berth.Storage.Layers;
using static Berth.UnitTests.Storage.Layers.LayerTestKit;

namespace Berth.UnitTests.Storage.Layers;

/// <summary>Real overlay mounts (root). Every mount is undone in Dispose, even when an assertion fails.</summary>
[Collection(nameof(SerialMounts))]
public sealed class OverlayMountTests : IDisposable
{
    private readonly TestDataRoot _root = new();
    private readonly List<string> _mounted = [];

    public void Dispose()
    {
        foreach (var target in _mounted)
        {
            Mounts.Unmount(target);
        }
        Mounts.UseNewMountApi = true;
        _root.Dispose();
    }

    private string Mount(OverlayLayerStore store, string id)
    {
        var target = Path.Combine(Path.GetDirectoryName(_root.Path)!, "mnt-" + id);
        Directory.CreateDirectory(target);
        var spec = store.ReadWriteMount(id, target);
        spec.Mount();
        _mounted.Add(target);
        return target;
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task ThreeLayers_WhiteoutAndOpaqueDir_AreHonoured(bool newApi)
    {
        Mounts.UseNewMountApi = newApi;
        var store = new OverlayLayerStore(_root.Path);
        var l1 = await store.ApplyAsync(null, new MemoryStream(Tar(w =>
        {
            w.WriteEntry(File("keep", "base"));
            w.WriteEntry(File("doomed", "bye"));
            w.WriteEntry(File("opaque/old1", "o1"));
            w.WriteEntry(File("opaque/old2", "o2"));
        })), null, CancellationToken.None);
        var l2 = await store.ApplyAsync(l1.ChainId, new MemoryStream(Tar(w =>
        {
            w.WriteEntry(File(".wh.doomed", ""));
            w.WriteEntry(Dir("opaque/"));
            w.WriteEntry(File("opaque/.wh..wh..opq", ""));
            w.WriteEntry(File("opaque/new", "n"));
        })), null, CancellationToken.None);
        var l3 = await store.ApplyAsync(l2.ChainId, new MemoryStream(Tar(w => w.WriteEntry(File("top", "t")))), null, CancellationToken.None);
        store.CreateReadWrite("c1", l3.ChainId);

        var rootfs = Mount(store, "c1");

        Assert.Equal("base", System.IO.File.ReadAllText(Path.Combine(rootfs, "keep")));
        Assert.Equal("t", System.IO.File.ReadAllText(Path.Combine(rootfs, "top")));
        Assert.False(System.IO.File.Exists(Path.Combine(rootfs, "doomed")));
        Assert.Equal(["new"], Directory.GetFileSystemEntries(Path.Combine(rootfs, "opaque")).Select(Path.GetFileName));
        System.IO.File.WriteAllText(Path.Combine(rootfs, "written"), "w");
        Assert.Equal("w", System.IO.File.ReadAllText(Path.Combine(store.ReadWriteDiffPath("c1"), "written")));
        Assert.False(System.IO.File.Exists(Path.Combine(l3.DiffPath, "written")));
    }

    /// <summary>
    /// 200 lowers need lowerdir+; mount(2)'s one page holds about 145 relative short names
    /// (why overlay2 caps images at 128 layers), so the fallback is tested at 140.
    /// </summary>
    [Theory]
    [InlineData(true, 200)]
    [InlineData(false, 140)]
    public async Task ManyLayers_MountInOneCall(bool newApi, int count)
    {
        Mounts.UseNewMountApi = newApi;
        var store = new OverlayLayerStore(_root.Path);
        Digest? parent = null;
        for (int i = 0; i < count; i++)
        {
            var layer = await store.ApplyAsync(parent, new MemoryStream(Tar(w => w.WriteEntry(File($"f{i}", i.ToString(System.Globalization.CultureInfo.InvariantCulture))))), null, CancellationToken.None);
            parent = layer.ChainId;
        }
        store.CreateReadWrite("big", parent);
        Assert.True(string.Join(',', store.ReadWriteMount("big", "/x").Options).Length > 4096);

        var rootfs = Mount(store, "big");

        Assert.Equal(count, Directory.GetFiles(rootfs).Length);
        Assert.Equal("0", System.IO.File.ReadAllText(Path.Combine(rootfs, "f0")));
        Assert.Equal($"{count - 1}", System.IO.File.ReadAllText(Path.Combine(rootfs, $"f{count - 1}")));
    }

    [Fact]
    public void ScratchReadWriteLayer_IsABindMountOfItsDiff()
    {
        var store = new OverlayLayerStore(_root.Path);
        store.CreateReadWrite("scratch", null);
        var rootfs = Mount(store, "scratch");
        System.IO.File.WriteAllText(Path.Combine(rootfs, "x"), "1");
        Assert.True(System.IO.File.Exists(Path.Combine(store.ReadWriteDiffPath("scratch"), "x")));
    }

    [Fact]
    public void Unmount_OfANonMount_IsIgnored() => Mounts.Unmount(Path.GetTempPath());
}

/// <summary>Mount tests flip a process-wide switch; run them one at a time.</summary>
[CollectionDefinition(nameof(SerialMounts), DisableParallelization = true)]
public sealed class SerialMounts;
