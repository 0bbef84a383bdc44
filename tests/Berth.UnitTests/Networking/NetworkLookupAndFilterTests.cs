using Berth.Engine.Errors;
using Berth.Engine.Filters;
using Berth.Engine.Networks;
using Berth.Networking;

namespace Berth.UnitTests.Networking;

public sealed class NetworkLookupAndFilterTests
{
    private static readonly DateTimeOffset Now = new(2025, 1, 2, 3, 4, 5, TimeSpan.Zero);

    private static NetworkRecord N(string id, string name, bool predefined = false, string driver = "bridge", Dictionary<string, string>? labels = null, int ageHours = 0) => new()
    {
        Id = id.PadRight(64, '0'),
        Name = name,
        Driver = driver,
        Created = Now.AddHours(-ageHours),
        Predefined = predefined,
        Labels = labels ?? [],
    };

    private static readonly NetworkRecord[] All =
    [
        N("aaa1", "bridge", predefined: true),
        N("aaa2", "host", predefined: true, driver: "host"),
        N("bbb1", "web", labels: new() { ["env"] = "prod" }, ageHours: 48),
        N("bbb2", "db", ageHours: 1),
        N("ccc1", "aaa1"),
    ];

    [Fact]
    public void Find_FullIdThenNameThenPrefix()
    {
        Assert.Equal("web", NetworkLookup.Find(All, "web").Name);
        Assert.Equal("bridge", NetworkLookup.Find(All, "aaa1".PadRight(64, '0')).Name);
        // An exact name beats an id prefix (a network named like another's id prefix).
        Assert.Equal("aaa1", NetworkLookup.Find(All, "aaa1").Name);
        Assert.Equal("db", NetworkLookup.Find(All, "bbb2").Name);
    }

    [Fact]
    public void Find_AmbiguousPrefixAndMissing()
    {
        var ambiguous = Assert.Throws<DaemonException>(() => NetworkLookup.Find(All, "bbb"));
        Assert.Equal(ErrorKind.InvalidParameter, ambiguous.Kind);
        Assert.Equal("network bbb is ambiguous (2 matches found based on ID prefix)", ambiguous.Message);
        var missing = Assert.Throws<DaemonException>(() => NetworkLookup.Find(All, "zzz"));
        Assert.Equal(ErrorKind.NotFound, missing.Kind);
        Assert.Equal("network zzz not found", missing.Message);
    }

    [Fact]
    public void List_Filters()
    {
        IEnumerable<string> Names(string json) => NetworkFilters.ApplyList(All, FilterArgs.Parse(json), _ => false).Select(n => n.Name);
        Assert.Equal(["bridge", "host"], Names("""{"type":{"builtin":true}}"""));
        Assert.Equal(["web", "db", "aaa1"], Names("""{"type":{"custom":true}}"""));
        Assert.Equal(["host"], Names("""{"driver":{"host":true}}"""));
        Assert.Equal(["web"], Names("""{"label":{"env=prod":true}}"""));
        Assert.Equal(["bridge", "host"], Names("""{"id":{"aaa":true}}"""));
        Assert.Equal(["web", "db", "aaa1"], Names("""{"dangling":{"true":true}}"""));
        Assert.Equal(["bridge", "host"], Names("""{"dangling":{"false":true}}"""));
        Assert.Throws<DaemonException>(() => Names("""{"nope":{"x":true}}""").ToList());
        Assert.Throws<DaemonException>(() => Names("""{"type":{"other":true}}""").ToList());
    }

    [Fact]
    public void Prune_SkipsPredefinedInUseAndNewer()
    {
        IEnumerable<string> Names(string json, string? busy = null) =>
            NetworkFilters.ApplyPrune(All, FilterArgs.Parse(json), n => n.Name == busy, Now).Select(n => n.Name);
        Assert.Equal(["web", "db", "aaa1"], Names("{}"));
        Assert.Equal(["web", "aaa1"], Names("{}", busy: "db"));
        Assert.Equal(["web"], Names("""{"until":{"24h":true}}"""));
        Assert.Equal(["web"], Names("""{"label":{"env":true}}"""));
        Assert.Equal(["db", "aaa1"], Names("""{"label!":{"env=prod":true}}"""));
    }

    [Theory]
    [InlineData("24h", 24 * 3600)]
    [InlineData("1h30m", 5400)]
    [InlineData("10s", 10)]
    public void ParseTimestamp_GoDurations(string text, int seconds) =>
        Assert.Equal(Now.AddSeconds(-seconds), NetworkFilters.ParseTimestamp(text, Now));

    [Fact]
    public void ParseTimestamp_UnixAndRfc3339()
    {
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1700000000), NetworkFilters.ParseTimestamp("1700000000", Now));
        Assert.Equal(new DateTimeOffset(2024, 5, 6, 7, 8, 9, TimeSpan.Zero), NetworkFilters.ParseTimestamp("2024-05-06T07:08:09Z", Now));
        Assert.Throws<DaemonException>(() => NetworkFilters.ParseTimestamp("yesterday", Now));
    }

    [Fact]
    public void DriverOptions_ParseGoBoolsAndMtu()
    {
        var o = DriverOptions.Parse(new Dictionary<string, string> { [DriverOptions.IccKey] = "false", [DriverOptions.MtuKey] = "1400", [DriverOptions.BridgeNameKey] = "mybr" });
        Assert.Equal(new DriverOptions("mybr", 1400, Icc: false, Masquerade: true), o);
        Assert.Throws<DaemonException>(() => DriverOptions.Parse(new Dictionary<string, string> { [DriverOptions.MtuKey] = "big" }));
        Assert.Throws<DaemonException>(() => DriverOptions.Parse(new Dictionary<string, string> { [DriverOptions.IccKey] = "maybe" }));
        Assert.Throws<DaemonException>(() => DriverOptions.Parse(new Dictionary<string, string> { [DriverOptions.BridgeNameKey] = "waytoolongbridgename" }));
    }
}
