using Berth.Engine.Errors;
using Berth.Engine.Images;

namespace Berth.UnitTests.Engine.Images;

public sealed class ImageServiceLookupTests : IDisposable
{
    private readonly ImageTestKit _kit = new();

    public void Dispose() => _kit.Dispose();

    [Fact]
    public void Import_TagsImageAndRecordsConfigHistoryAndEvents()
    {
        var id = _kit.Import("busybox:test", "rootfs", "CMD [\"/bin/sh\"]");

        var details = _kit.Service.Inspect("busybox:test");
        Assert.Equal(id, details.Id);
        Assert.Equal(["busybox:test"], details.RepoTags);
        Assert.Empty(details.RepoDigests);
        Assert.Equal(["/bin/sh"], details.Config.Config!.Cmd);
        Assert.Equal("Imported from -", details.Config.Comment);
        Assert.Equal("linux", details.Config.Os);
        Assert.Single(details.Layers);
        Assert.Equal(6, details.Size);
        Assert.Equal(_kit.Clock.GetUtcNow(), details.LastTagTime);
        // The id is the digest of the stored config bytes.
        Assert.Equal(id, Digest.Compute(_kit.Content.Blobs[id]));
        var history = Assert.Single(details.Config.History!);
        Assert.Equal("Imported from -", history.Comment);
        Assert.Null(history.CreatedBy);
        Assert.Equal(
            [("tag", id.ToString(), "busybox:test"), ("import", id.ToString(), id.ToString())],
            _kit.EventLog());
    }

    [Fact]
    public void Lookup_ByFullIdShortIdPrefixAndNames()
    {
        var id = _kit.Import("example.com/team/app:1");

        Assert.Equal(id, _kit.Service.Inspect(id.ToString()).Id);
        Assert.Equal(id, _kit.Service.Inspect(id.Hex).Id);
        Assert.Equal(id, _kit.Service.Inspect(id.Hex[..12]).Id);
        Assert.Equal(id, _kit.Service.Inspect("sha256:" + id.Hex[..8]).Id);
        Assert.Equal(id, _kit.Service.Inspect("example.com/team/app:1").Id);
    }

    [Fact]
    public void Lookup_BareNameMeansLatest_AndNotFoundTextIsFamiliar()
    {
        _kit.Import("busybox:1");

        var error = Assert.Throws<DaemonException>(() => _kit.Service.Inspect("busybox"));
        Assert.Equal(ErrorKind.NotFound, error.Kind);
        Assert.Equal("No such image: busybox:latest", error.Message);

        var byId = Assert.Throws<DaemonException>(() => _kit.Service.Inspect(new string('a', 64)));
        Assert.Equal("No such image: sha256:" + new string('a', 64), byId.Message);
    }

    [Fact]
    public void Lookup_TagWinsOverIdPrefix()
    {
        var first = _kit.Import(content: "one");
        string prefix = first.Hex[..6];
        var second = _kit.Import(prefix + ":latest", "two");

        // A name that is also an id prefix: the reference is tried first (moby GetImage).
        Assert.Equal(second, _kit.Service.Inspect(prefix).Id);
    }

    [Fact]
    public void Lookup_InvalidReferenceIsInvalidParameter()
    {
        var error = Assert.Throws<DaemonException>(() => _kit.Service.Inspect("Busybox"));
        Assert.Equal(ErrorKind.InvalidParameter, error.Kind);
    }

    [Fact]
    public void Tag_MovesTagAndStampsLastTagTime_ThenSurvivesRestart()
    {
        var a = _kit.Import("app:1", "a");
        var b = _kit.Import(content: "b");

        Assert.True(_kit.Service.Tag(b.Hex[..12], "app", "1"));
        Assert.True(_kit.Service.Tag("app:1", "localhost:5000/team/app", null));

        _kit.Restart();
        Assert.Equal(b, _kit.Service.Inspect("app:1").Id);
        Assert.Equal(["app:1", "localhost:5000/team/app:latest"], _kit.Service.Inspect(b.ToString()).RepoTags);
        Assert.Empty(_kit.Service.Inspect(a.ToString()).RepoTags);
        Assert.Equal(2, _kit.Service.Count);
    }

    [Fact]
    public void Tag_UnknownImageIsNotFound_EmptyRepoDoesNothing()
    {
        Assert.Equal(ErrorKind.NotFound, Assert.Throws<DaemonException>(() => _kit.Service.Tag("nope", "x", "y")).Kind);
        // dockerd wraps every lookup failure of the tag endpoint as NotFound.
        Assert.Equal(ErrorKind.NotFound, Assert.Throws<DaemonException>(() => _kit.Service.Tag("UPPER", "x", "y")).Kind);
        Assert.False(_kit.Service.Tag("nope", "", null));
        Assert.Equal(ErrorKind.InvalidParameter, Assert.Throws<DaemonException>(() => _kit.Service.Tag("nope", "sha256", "x")).Kind);
    }

    [Fact]
    public void History_NewestFirstWithIdAndTagsOnTop()
    {
        var id = _kit.Import("busybox:test");

        var row = Assert.Single(_kit.Service.History("busybox:test"));
        Assert.Equal(id.ToString(), row.Id);
        Assert.Equal(["busybox:test"], row.Tags);
        Assert.Equal(6, row.Size);
        Assert.Equal("Imported from -", row.Comment);
        Assert.Equal(_kit.Clock.GetUtcNow().ToUnixTimeSeconds(), row.Created);
    }

    [Fact]
    public async Task Import_RejectsDigestRepoAndForeignOs()
    {
        Assert.Throws<DaemonException>(() => _kit.Import("busybox@sha256:" + new string('a', 64)));
        var error = await Assert.ThrowsAsync<DaemonException>(() => _kit.Service.ImportAsync(
            new ImportRequest("-", null, null, null, [], "windows/amd64"), new MemoryStream([1]), CancellationToken.None));
        Assert.Equal("operating system is not supported", error.Message);
        Assert.Equal(ErrorKind.InvalidParameter, Assert.Throws<DaemonException>(() => _kit.Import(null, "x", "RUN echo")).Kind);
        Assert.Empty(_kit.Layers.Layers);
    }
}
