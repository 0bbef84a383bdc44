using Berth.Engine.Volumes;
using Berth.Storage.Volumes;

namespace Berth.UnitTests.Storage.Volumes;

public sealed class LocalVolumeStoreTests : IDisposable
{
    private readonly TestDataRoot _data = new();
    private readonly List<string> _mounts = [];

    public void Dispose() => _data.Dispose();

    private LocalVolumeStore NewStore() => new(_data.Path, dir => _mounts.Where(m => m.StartsWith(dir + "/", StringComparison.Ordinal)).ToList());

    private static VolumeRecord Record(string name, params string[] users) =>
        new(name, "local", new DateTimeOffset(2024, 5, 6, 7, 8, 9, TimeSpan.Zero), new Dictionary<string, string> { ["a"] = "b" }, null, users);

    [Fact]
    public void LayoutAndModesMatchDockerd()
    {
        var store = NewStore();
        store.Create(Record("v1"));
        string dir = Path.Combine(_data.Path, "volumes", "v1");
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.OtherExecute, File.GetUnixFileMode(Path.Combine(_data.Path, "volumes")));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.OtherExecute, File.GetUnixFileMode(dir));
        Assert.Equal((UnixFileMode)0b111_101_101, File.GetUnixFileMode(Path.Combine(dir, "_data")));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(dir, "metadata.json")));
        Assert.Equal(Path.Combine(dir, "_data"), store.DataPath("v1"));
    }

    [Fact]
    public void RoundTripsAndUpdates()
    {
        var store = NewStore();
        store.Create(Record("v1"));
        store.Update(Record("v1", "c1", "c2"));
        var loaded = Assert.Single(NewStore().LoadAll());
        Assert.Equal(("v1", "local", "b"), (loaded.Name, loaded.Driver, loaded.Labels!["a"]));
        Assert.Equal(Record("v1").CreatedAt, loaded.CreatedAt);
        Assert.Equal(["c1", "c2"], loaded.Users);
        Assert.Null(loaded.Options);
    }

    [Fact]
    public void LeftoversOfInterruptedOperationsAreCleanedAtLoad()
    {
        var store = NewStore();
        store.Create(Record("keep"));
        string root = Path.Combine(_data.Path, "volumes");
        Directory.CreateDirectory(Path.Combine(root, ".new-abc", "_data"));
        Directory.CreateDirectory(Path.Combine(root, ".rm-def", "_data"));
        File.WriteAllText(Path.Combine(root, "keep", ".metadata.json.tmp-123"), "{partial");
        Directory.CreateDirectory(Path.Combine(root, "legacy", "_data"));  // dockerd-style, no metadata
        Directory.CreateDirectory(Path.Combine(root, "empty"));            // neither: not a volume
        Directory.Delete(Path.Combine(root, "keep", "_data"));             // metadata without data: recreated

        var names = NewStore().LoadAll().Select(r => r.Name).Order().ToList();
        Assert.Equal(["keep", "legacy"], names);
        Assert.False(Directory.Exists(Path.Combine(root, ".new-abc")));
        Assert.False(Directory.Exists(Path.Combine(root, ".rm-def")));
        Assert.True(Directory.Exists(Path.Combine(root, "keep", "_data")));
    }

    [Fact]
    public void DeleteRefusesWhileSomethingIsMountedBeneath()
    {
        var store = NewStore();
        store.Create(Record("v1"));
        File.WriteAllText(Path.Combine(store.DataPath("v1"), "precious"), "x");
        _mounts.Add(store.DataPath("v1"));
        Assert.Throws<IOException>(() => store.Delete("v1"));
        Assert.True(File.Exists(Path.Combine(store.DataPath("v1"), "precious")));
        _mounts.Clear();
        store.Delete("v1");
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(_data.Path, "volumes")));
    }

    [Fact]
    public void DeleteDoesNotFollowSymlinksOut()
    {
        var store = NewStore();
        store.Create(Record("v1"));
        string outside = Directory.CreateTempSubdirectory("berth-outside-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(outside, "keep"), "x");
            File.CreateSymbolicLink(Path.Combine(store.DataPath("v1"), "out"), outside);
            store.Delete("v1");
            Assert.True(File.Exists(Path.Combine(outside, "keep")));
        }
        finally
        {
            Directory.Delete(outside, recursive: true);
        }
    }
}
