using Berth.Engine.Containers;
using Berth.Engine.Containers.Logs;
using Berth.Engine.Errors;

namespace Berth.UnitTests.Engine.Containers.Logs;

public sealed class LogDriversTests
{
    private static readonly LogSettings JsonDefault = new("json-file", new Dictionary<string, string>());

    private static Dictionary<string, string> Opts(params string[] pairs) =>
        pairs.Select(p => p.Split('=', 2)).ToDictionary(p => p[0], p => p[1]);

    [Fact]
    public void EmptyType_TakesTheDaemonDriverAndItsOptions()
    {
        var daemon = new LogSettings("json-file", Opts("max-size=10m", "max-file=3"));
        LogSettings merged = LogDrivers.Merge(new LogSettings("", Opts("max-size=1m")), daemon);
        Assert.Equal("json-file", merged.Type);
        Assert.Equal(Opts("max-size=1m", "max-file=3"), merged.Config);
    }

    [Fact]
    public void OtherDriver_DoesNotInheritTheDaemonOptions()
    {
        LogSettings merged = LogDrivers.Merge(new LogSettings("none", null), new LogSettings("json-file", Opts("max-size=10m")));
        Assert.Equal("none", merged.Type);
        Assert.Empty(merged.Config!);
    }

    [Theory]
    [InlineData("json-file", "foo=bar", "unknown log opt 'foo' for json-file log driver")]
    [InlineData("local", "labels=a", "unknown log opt 'labels' for log driver local")]
    [InlineData("foo", "", "error looking up logging plugin foo: plugin \"foo\" not found")]
    [InlineData("json-file", "mode=fast", "logger: logging mode not supported: fast")]
    [InlineData("json-file", "max-buffer-size=1m", "logger: max-buffer-size option is only supported with 'mode=non-blocking'")]
    public void Validate_UsesDockerdTexts(string driver, string opt, string expected)
    {
        Dictionary<string, string> config = opt.Length == 0 ? [] : Opts(opt);
        var e = Assert.Throws<DaemonException>(() => LogDrivers.Merge(new LogSettings(driver, config), JsonDefault));
        Assert.Equal(ErrorKind.InvalidParameter, e.Kind);
        Assert.Equal(expected, e.Message);
    }

    [Fact]
    public void None_AcceptsAnything_AndSyslogIsRefusedByName()
    {
        Assert.Null(LogDrivers.Validate("none", Opts("whatever=1")));
        Assert.Contains("not supported by berthd", LogDrivers.Validate("syslog", new Dictionary<string, string>()), StringComparison.Ordinal);
        Assert.Null(LogDrivers.Validate("json-file", Opts("mode=non-blocking", "max-buffer-size=4m", "labels=a", "tag={{.Name}}")));
    }

    [Theory]
    [InlineData("max-size=10m", 10_000_000L, 1, false)]
    [InlineData("max-size=2k,max-file=3", 2_000L, 3, false)]
    [InlineData("max-size=1MiB,max-file=2,compress=true", 1_000_000L, 2, true)] // FromHumanSize: always decimal
    [InlineData("max-size=1.5kb", 1_500L, 1, false)]
    public void Limits_ParseLikeDockerd(string opts, long size, int files, bool compress)
    {
        LogFileLimits l = LogDrivers.Limits(new LogSettings("json-file", Opts(opts.Split(','))));
        Assert.Equal(new LogFileLimits(size, files, compress), l);
    }

    [Theory]
    [InlineData("max-size=abc", "failed to initialize logging driver: invalid size: 'abc'")]
    [InlineData("max-size=10q", "failed to initialize logging driver: invalid suffix: 'q'")]
    [InlineData("max-size=0", "failed to initialize logging driver: max-size must be a positive number")]
    [InlineData("max-file=x", "failed to initialize logging driver: strconv.Atoi: parsing \"x\": invalid syntax")]
    [InlineData("max-file=0", "failed to initialize logging driver: max-file cannot be less than 1")]
    [InlineData("compress=true", "failed to initialize logging driver: compress cannot be true when max-file is less than 2 or max-size is not set")]
    [InlineData("compress=yes", "failed to initialize logging driver: strconv.ParseBool: parsing \"yes\": invalid syntax")]
    public void Limits_Errors(string opt, string expected)
    {
        var e = Assert.Throws<DaemonException>(() => LogDrivers.Limits(new LogSettings("json-file", Opts(opt))));
        Assert.Equal(ErrorKind.System, e.Kind);
        Assert.Equal(expected, e.Message);
    }

    [Fact]
    public void Local_DefaultsTo20MiBTimesFiveCompressed()
    {
        Assert.Equal(new LogFileLimits(20L * 1024 * 1024, 5, true), LogDrivers.Limits(new LogSettings("local", new Dictionary<string, string>())));
        Assert.Equal(LogFileLimits.Unlimited, LogDrivers.Limits(new LogSettings("json-file", null)));
    }
}
