using Berth.Engine.Errors;
using Berth.Engine.Filters;
using Berth.Engine.Images;

namespace Berth.UnitTests.Engine.Images;

public sealed class ImageServiceListTests : IDisposable
{
    private readonly ImageTestKit _kit = new();

    public void Dispose() => _kit.Dispose();

    private IReadOnlyList<ImageSummary> List(FilterArgs? filters = null) =>
        _kit.Service.List(new ImageListOptions(false, filters ?? new FilterArgs()));

    [Fact]
    public void List_NewestFirst_WithFamiliarReferencesAndDefaults()
    {
        var old = _kit.Import("busybox:1", "aa");
        var fresh = _kit.Import("localhost:5000/team/app:2", "bbb", "LABEL a=b");

        var list = List();

        Assert.Equal([fresh, old], list.Select(s => s.Id));
        Assert.Equal(["localhost:5000/team/app:2"], list[0].RepoTags);
        Assert.Empty(list[0].RepoDigests);
        Assert.Equal(3, list[0].Size);
        Assert.Equal(-1, list[0].SharedSize);
        Assert.Equal(-1, list[0].Containers);
        Assert.Equal("b", list[0].Labels!["a"]);
        Assert.Equal("", list[0].ParentId);
    }

    [Fact]
    public void List_DanglingFilter()
    {
        _kit.Import("busybox:1", "a");
        var dangling = _kit.Import(null, "b");

        Assert.Equal([dangling], List(new FilterArgs().Add("dangling", "true")).Select(s => s.Id));
        Assert.Single(List(new FilterArgs().Add("dangling", "false")));
        Assert.Equal(2, List().Count);
        Assert.Equal("invalid filter 'dangling=[maybe]'",
            Assert.Throws<DaemonException>(() => List(new FilterArgs().Add("dangling", "maybe"))).Message);
    }

    [Fact]
    public void List_ReferenceFilter_GlobsFamiliarStringThenName()
    {
        var busybox = _kit.Import("busybox:1", "a");
        _kit.Service.Tag("busybox:1", "busybox", "2");
        _kit.Import("localhost:5000/team/app:2", "b");
        _kit.Import(null, "c");

        Assert.Equal([busybox], List(new FilterArgs().Add("reference", "busybox")).Select(s => s.Id));
        var onlyOne = Assert.Single(List(new FilterArgs().Add("reference", "busybox:2")));
        Assert.Equal(["busybox:2"], onlyOne.RepoTags);
        Assert.Single(List(new FilterArgs().Add("reference", "localhost:5000/*/*")));
        Assert.Empty(List(new FilterArgs().Add("reference", "localhost:5000/*")));
        // '*' stops at '/': it matches "busybox:1" but not "localhost:5000/team/app:2".
        Assert.Equal([busybox], List(new FilterArgs().Add("reference", "*")).Select(s => s.Id));
        Assert.Equal("syntax error in pattern",
            Assert.Throws<DaemonException>(() => List(new FilterArgs().Add("reference", "[a"))).Message);
    }

    [Fact]
    public void List_BeforeSinceUntilAndLabel()
    {
        var a = _kit.Import("a:1", "a", "LABEL tier=db");
        var b = _kit.Import("b:1", "b", "LABEL tier=web");
        var c = _kit.Import("c:1", "c");

        Assert.Equal([a], List(new FilterArgs().Add("before", "b:1")).Select(s => s.Id));
        Assert.Equal([c], List(new FilterArgs().Add("since", "b:1")).Select(s => s.Id));
        Assert.Equal([b], List(new FilterArgs().Add("label", "tier=web")).Select(s => s.Id));
        Assert.Equal([b, a], List(new FilterArgs().Add("label", "tier")).Select(s => s.Id));
        Assert.Equal([b, a], List(new FilterArgs().Add("until", "30s")).Select(s => s.Id));
        Assert.Equal(ErrorKind.NotFound, Assert.Throws<DaemonException>(() => List(new FilterArgs().Add("before", "zzz"))).Kind);
        Assert.Equal("invalid filter 'nope'", Assert.Throws<DaemonException>(() => List(new FilterArgs().Add("nope", "1"))).Message);
    }

    [Fact]
    public void DiskUsage_CountsSharedLayersAndContainers()
    {
        var a = _kit.Import("a:1", "same");
        _kit.Import("b:1", "same");
        _kit.Import("c:1", "other");
        _kit.Usage.Users[a] = [new ImageUser("x", true)];

        var usage = _kit.Service.DiskUsage();

        Assert.Equal(4 + 5, usage.LayersSize);
        var forA = usage.Images.Single(i => i.Id == a);
        Assert.Equal(4, forA.SharedSize);
        Assert.Equal(1, forA.Containers);
        Assert.Equal(0, usage.Images.Single(i => i.RepoTags.Contains("c:1")).SharedSize);
    }

    [Fact]
    public void CollectGarbage_RemovesWhatNoImageReferences()
    {
        _kit.Import("a:1", "a");
        _kit.Content.Write("orphan"u8);
        _kit.Layers.Layers[Berth.Engine.Images.Digest.Compute("x"u8)] =
            new LayerInfo(Digest.Compute("x"u8), Digest.Compute("x"u8), null, 1, "/x");

        long freed = _kit.Service.CollectGarbage();

        Assert.Equal(1 + 6, freed);
        Assert.Single(_kit.Content.Blobs);
        Assert.Single(_kit.Layers.Layers);
    }
}
