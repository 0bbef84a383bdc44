using Berth.Engine.Images;
using Berth.Storage;
using Berth.Storage.Images;

namespace Berth.UnitTests.Storage;

public sealed class SqliteImageStoreTests : IDisposable
{
    private static readonly DateTimeOffset T0 = DateTimeOffset.FromUnixTimeSeconds(1_700_000_000);
    private readonly TestDataRoot _root = new();

    public void Dispose() => _root.Dispose();

    private static Digest D(string s) => Digest.Compute(System.Text.Encoding.UTF8.GetBytes(s));

    [Fact]
    public void AddImage_WithReferences_PersistsAcrossReopen()
    {
        var image = new ImageRecord(D("cfg"), D("layer"), 42, T0, T0.AddSeconds(1), T0.AddSeconds(1));
        using (var state = new SqliteStateStore(_root.Path))
        {
            new SqliteImageStore(state).AddImage(image, [
                new ReferenceRecord("docker.io/library/busybox:latest", image.Id, false),
                new ReferenceRecord("docker.io/library/busybox@" + D("m"), image.Id, true),
            ]);
        }

        using var reopened = new SqliteStateStore(_root.Path);
        var store = new SqliteImageStore(reopened);
        Assert.Equal(image, Assert.Single(store.ListImages()));
        Assert.Equal(["docker.io/library/busybox:latest", "docker.io/library/busybox@" + D("m")],
            store.ListReferences().Select(r => r.Reference).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void SetReference_MovesTagAndStampsLastTagTime_RemoveImageCascades()
    {
        using var state = new SqliteStateStore(_root.Path);
        var store = new SqliteImageStore(state);
        var a = new ImageRecord(D("a"), null, 0, null, T0, null);
        var b = new ImageRecord(D("b"), null, 0, null, T0, null);
        store.AddImage(a, [new ReferenceRecord("docker.io/library/x:1", a.Id, false)]);
        store.AddImage(b, []);

        store.SetReference(new ReferenceRecord("docker.io/library/x:1", b.Id, false), T0.AddMinutes(5));

        Assert.Equal(b.Id, Assert.Single(store.ListReferences()).ImageId);
        Assert.Equal(T0.AddMinutes(5), store.ListImages().Single(i => i.Id == b.Id).LastTagTime);

        store.RemoveImage(b.Id);
        Assert.Empty(store.ListReferences());
        Assert.Equal(a.Id, Assert.Single(store.ListImages()).Id);
        store.RemoveReferences(["docker.io/library/never:1"]);
    }

    [Fact]
    public void Reference_ToMissingImage_IsRejected()
    {
        using var state = new SqliteStateStore(_root.Path);
        var store = new SqliteImageStore(state);
        Assert.Throws<Berth.Engine.Errors.DaemonException>(() =>
            store.SetReference(new ReferenceRecord("docker.io/library/x:1", D("missing"), false), T0));
        Assert.Empty(store.ListReferences());
    }
}
