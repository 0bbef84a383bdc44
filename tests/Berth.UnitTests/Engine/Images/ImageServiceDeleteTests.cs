using Berth.Engine.Errors;
using Berth.Engine.Filters;
using Berth.Engine.Images;

namespace Berth.UnitTests.Engine.Images;

public sealed class ImageServiceDeleteTests : IDisposable
{
    private readonly ImageTestKit _kit = new();

    public void Dispose() => _kit.Dispose();

    [Fact]
    public void DeleteByTag_UntagsWhileOtherTagsRemain()
    {
        var id = _kit.Import("busybox:a");
        _kit.Service.Tag("busybox:a", "busybox", "b");

        var items = _kit.Service.Delete("busybox:a", force: false, noPrune: false);

        Assert.Equal([ImageDeleteItem.Untag("busybox:a")], items);
        Assert.Equal(["busybox:b"], _kit.Service.Inspect(id.ToString()).RepoTags);
        Assert.Contains(("untag", id.ToString(), id.ToString()), _kit.EventLog());
    }

    [Fact]
    public void DeleteLastTag_DeletesImageLayersAndCollectsGarbage()
    {
        var id = _kit.Import("busybox:a");
        var layer = _kit.Layers.Layers.Keys.Single();

        var items = _kit.Service.Delete("busybox:a", force: false, noPrune: false);

        Assert.Equal([ImageDeleteItem.Untag("busybox:a"), ImageDeleteItem.Delete(id), ImageDeleteItem.Delete(layer)], items);
        Assert.Equal(0, _kit.Service.Count);
        Assert.Empty(_kit.Layers.Layers);
        Assert.Empty(_kit.Content.Blobs);
        var log = _kit.EventLog();
        Assert.Equal(("untag", id.ToString(), id.ToString()), log[^2]);
        Assert.Equal(("delete", id.ToString(), id.ToString()), log[^1]);
    }

    [Fact]
    public void DeleteById_WithTagsInSeveralRepositories_NeedsForce()
    {
        var id = _kit.Import("busybox:a");
        _kit.Service.Tag(id.ToString(), "other", "b");

        var error = Assert.Throws<DaemonException>(() => _kit.Service.Delete(id.Hex[..12], force: false, noPrune: false));
        Assert.Equal(ErrorKind.Conflict, error.Kind);
        Assert.Equal($"conflict: unable to delete {id.Hex[..12]} (must be forced) - image is referenced in multiple repositories", error.Message);

        var items = _kit.Service.Delete(id.Hex[..12], force: true, noPrune: false);
        Assert.Equal(ImageDeleteItem.Untag("busybox:a"), items[0]);
        Assert.Equal(ImageDeleteItem.Untag("other:b"), items[1]);
        Assert.Equal(ImageDeleteItem.Delete(id), items[2]);
    }

    [Fact]
    public void DeleteById_TwoTagsOfOneRepository_AlsoNeedsForce()
    {
        // moby isSingleReference: two tags are two references even in one repository.
        var id = _kit.Import("busybox:a");
        _kit.Service.Tag(id.ToString(), "busybox", "b");

        Assert.Equal(ErrorKind.Conflict, Assert.Throws<DaemonException>(() => _kit.Service.Delete(id.ToString(), false, false)).Kind);
    }

    [Fact]
    public void DeleteById_SingleTag_UntagsAndDeletes()
    {
        var id = _kit.Import("busybox:a");

        var items = _kit.Service.Delete(id.ToString(), force: false, noPrune: false);

        Assert.Equal(ImageDeleteItem.Untag("busybox:a"), items[0]);
        Assert.Equal(ImageDeleteItem.Delete(id), items[1]);
    }

    [Fact]
    public void SharedLayer_IsKeptUntilItsLastImageGoes()
    {
        var a = _kit.Import("a:1", "same");
        var b = _kit.Import("b:1", "same"); // same layer, different created time → different image
        Assert.NotEqual(a, b);

        var first = _kit.Service.Delete("a:1", false, false);
        Assert.DoesNotContain(first, i => i.Deleted is not null && i.Deleted != a.ToString());
        Assert.Single(_kit.Layers.Layers);

        var second = _kit.Service.Delete("b:1", false, false);
        Assert.Equal(3, second.Count);
        Assert.Empty(_kit.Layers.Layers);
    }

    [Fact]
    public void ContainerUse_ConflictsUnlessForced()
    {
        var id = _kit.Import("busybox:a");
        _kit.Usage.Users[id] = [new ImageUser(new string('c', 64), Running: false)];

        var byRef = Assert.Throws<DaemonException>(() => _kit.Service.Delete("busybox:a", false, false));
        Assert.Equal($"conflict: unable to remove repository reference \"busybox:a\" (must force) - container cccccccccccc is using its referenced image {id.Hex[..12]}", byRef.Message);
        var byId = Assert.Throws<DaemonException>(() => _kit.Service.Delete(id.ToString(), false, false));
        Assert.Equal($"conflict: unable to delete {id.Hex[..12]} (must be forced) - image is being used by stopped container cccccccccccc", byId.Message);

        _kit.Usage.Users[id] = [new ImageUser(new string('c', 64), Running: true)];
        var running = Assert.Throws<DaemonException>(() => _kit.Service.Delete(id.ToString(), true, false));
        Assert.Contains("(cannot be forced) - image is being used by running container", running.Message);
    }

    [Fact]
    public void Delete_UnknownIsNotFound()
    {
        var error = Assert.Throws<DaemonException>(() => _kit.Service.Delete("nothing:here", false, false));
        Assert.Equal(ErrorKind.NotFound, error.Kind);
        Assert.Equal("No such image: nothing:here", error.Message);
    }

    [Fact]
    public void Prune_DefaultRemovesDanglingOnly_AllRemovesUnused()
    {
        var tagged = _kit.Import("keep:1", "k");
        var dangling = _kit.Import(null, "d");

        var report = _kit.Service.Prune(new FilterArgs());
        Assert.Contains(ImageDeleteItem.Delete(dangling), report.ImagesDeleted!);
        Assert.Equal(1, report.SpaceReclaimed);
        Assert.Equal(1, _kit.Service.Count);

        var all = _kit.Service.Prune(new FilterArgs().Add("dangling", "false"));
        Assert.Equal([ImageDeleteItem.Untag("keep:1"), ImageDeleteItem.Delete(tagged)], all.ImagesDeleted!.Take(2));
        Assert.Equal(0, _kit.Service.Count);
        Assert.Equal(("prune", "", null), _kit.EventLog()[^1] with { Name = null });

        Assert.Null(_kit.Service.Prune(new FilterArgs()).ImagesDeleted);
    }

    [Fact]
    public void Prune_UntilAndLabelFilters()
    {
        var old = _kit.Import(null, "old", "LABEL keep=no");
        _kit.Advance(TimeSpan.FromHours(2));
        var fresh = _kit.Import(null, "new", "LABEL keep=yes");

        var report = _kit.Service.Prune(new FilterArgs().Add("until", "1h"));
        Assert.Equal([ImageDeleteItem.Delete(old)], report.ImagesDeleted!.Take(1));
        Assert.Equal(1, _kit.Service.Count);

        Assert.Null(_kit.Service.Prune(new FilterArgs().Add("label!", "keep=yes")).ImagesDeleted);
        Assert.Equal(ImageDeleteItem.Delete(fresh), _kit.Service.Prune(new FilterArgs().Add("label", "keep")).ImagesDeleted![0]);

        Assert.Equal("invalid filter 'reference'", Assert.Throws<DaemonException>(() => _kit.Service.Prune(new FilterArgs().Add("reference", "x"))).Message);
        Assert.Equal("more than one until filter specified",
            Assert.Throws<DaemonException>(() => _kit.Service.Prune(new FilterArgs().Add("until", "1h").Add("until", "2h"))).Message);
    }
}
