using Berth.Engine.Errors;
using Berth.Engine.Filters;
using Berth.Engine.Volumes;

namespace Berth.UnitTests.Volumes;

public sealed class VolumeFiltersTests
{
    private static readonly Dictionary<string, string> Anonymous = new() { [LocalVolumeRules.AnonymousLabel] = "" };

    private static readonly VolumeRecord[] Volumes =
    [
        new("web-data", "local", DateTimeOffset.UnixEpoch, new Dictionary<string, string> { ["app"] = "web", ["tier"] = "front" }, null, []),
        new("db-data", "local", DateTimeOffset.UnixEpoch, new Dictionary<string, string> { ["app"] = "db" }, null, ["c1"]),
        new("aaaa1111", "local", DateTimeOffset.UnixEpoch, Anonymous, null, []),
        new("bbbb2222", "local", DateTimeOffset.UnixEpoch, Anonymous, null, ["c2"]),
        new("tmp", "local", DateTimeOffset.UnixEpoch, Anonymous, new Dictionary<string, string> { ["type"] = "tmpfs", ["device"] = "tmpfs" }, []),
        new("plain", "local", DateTimeOffset.UnixEpoch, null, new Dictionary<string, string>(), []),
    ];

    private static string[] List(string json) =>
        Volumes.Where(VolumeFilters.ForList(FilterArgs.Parse(json))).Select(v => v.Name).ToArray();

    private static string[] Prune(string json) =>
        Volumes.Where(VolumeFilters.ForPrune(FilterArgs.Parse(json))).Select(v => v.Name).ToArray();

    [Theory]
    [InlineData("", "web-data,db-data,aaaa1111,bbbb2222,tmp,plain")]
    [InlineData("""{"dangling":{"true":true}}""", "web-data,aaaa1111,tmp,plain")]
    [InlineData("""{"dangling":{"false":true}}""", "db-data,bbbb2222")]
    [InlineData("""{"dangling":{"1":true}}""", "web-data,aaaa1111,tmp,plain")]
    [InlineData("""{"name":{"data":true}}""", "web-data,db-data")]
    [InlineData("""{"name":{"^db":true}}""", "db-data")]
    [InlineData("""{"name":{"web":true,"db":true}}""", "web-data,db-data")]
    [InlineData("""{"label":{"app":true}}""", "web-data,db-data")]
    [InlineData("""{"label":{"app=web":true}}""", "web-data")]
    [InlineData("""{"label":{"app=web":true,"tier=back":true}}""", "")]
    [InlineData("""{"driver":{"local":true}}""", "web-data,db-data,aaaa1111,bbbb2222,tmp,plain")]
    [InlineData("""{"driver":{"nfs":true}}""", "")]
    [InlineData("""{"label":{"app":true},"dangling":{"true":true}}""", "web-data")]
    public void ListFilters(string json, string expected) =>
        Assert.Equal(expected, string.Join(',', List(json)));

    [Theory]
    [InlineData("""{"label!":{"app":true}}""", "invalid filter 'label!'")]
    [InlineData("""{"all":{"true":true}}""", "invalid filter 'all'")]
    [InlineData("""{"dangling":{"maybe":true}}""", "invalid filter 'dangling=[maybe]'")]
    public void ListRejects(string json, string message) =>
        Assert.Equal(message, Assert.Throws<DaemonException>(() => List(json)).Message);

    [Theory]
    // Default: anonymous, unused, without driver options.
    [InlineData("", "aaaa1111")]
    [InlineData("""{"all":{"true":true}}""", "web-data,aaaa1111,plain")]
    [InlineData("""{"all":{"1":true}}""", "web-data,aaaa1111,plain")]
    [InlineData("""{"all":{"false":true}}""", "aaaa1111")]
    [InlineData("""{"all":{"true":true},"label":{"app":true}}""", "web-data")]
    [InlineData("""{"all":{"true":true},"label!":{"app":true}}""", "aaaa1111,plain")]
    [InlineData("""{"label":{"app":true}}""", "")]
    public void PruneSelection(string json, string expected) =>
        Assert.Equal(expected, string.Join(',', Prune(json)));

    [Theory]
    [InlineData("""{"all":{"yes":true}}""", "invalid filter 'all': strconv.ParseBool: parsing \"yes\": invalid syntax")]
    [InlineData("""{"all":{"true":true,"false":true}}""", "invalid filter 'all=[true false]': only one value is expected")]
    [InlineData("""{"dangling":{"true":true}}""", "invalid filter 'dangling'")]
    [InlineData("""{"name":{"x":true}}""", "invalid filter 'name'")]
    public void PruneRejects(string json, string message)
    {
        var e = Assert.Throws<DaemonException>(() => Prune(json));
        Assert.Equal(ErrorKind.InvalidParameter, e.Kind);
        Assert.Equal(message, e.Message);
    }
}
