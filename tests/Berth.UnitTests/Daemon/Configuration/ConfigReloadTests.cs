using Berth.Daemon.Configuration;
using Berth.Engine.Configuration;

namespace Berth.UnitTests.Daemon.Configuration;

public sealed class ConfigReloadTests : IDisposable
{
    private readonly ConfigTestDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private DaemonConfig Start(string json, params string[] extra)
    {
        _dir.Write(json);
        ConfigLoadResult result = ConfigLoader.Load(_dir.Args(extra));
        Assert.Null(result.Error);
        return result.Config!;
    }

    [Fact]
    public void Changes_only_the_reloadable_subset()
    {
        DaemonConfig current = Start("""{"debug": false, "data-root": "/var/lib/b1"}""");
        _dir.Write("""{"debug": true, "log-level": "error", "labels": ["x=1"], "data-root": "/var/lib/b2"}""");
        ConfigReloadResult r = ConfigLoader.Reload(current, _dir.Args());
        Assert.Null(r.Error);
        Assert.Equal(["debug", "labels", "log-level"], r.ChangedKeys);
        Assert.True(r.Config.Debug);
        Assert.Equal("error", r.Config.LogLevel);
        Assert.Equal(["x=1"], r.Config.Labels);
        Assert.Equal("/var/lib/b1", r.Config.DataRoot); // not reloadable: ignored, as dockerd does
    }

    [Fact]
    public void Keys_removed_from_the_file_keep_their_value()
    {
        DaemonConfig current = Start("""{"debug": true, "labels": ["a=1"]}""");
        _dir.Write("{}");
        ConfigReloadResult r = ConfigLoader.Reload(current, _dir.Args());
        Assert.Null(r.Error);
        Assert.Empty(r.ChangedKeys);
        Assert.Equal(current, r.Config);
    }

    [Theory]
    [InlineData("{\"debug\": ", "invalid JSON: ")]
    [InlineData("{\"nope\": 1}", "the following directives don't match any configuration option: nope")]
    [InlineData("{\"debug\": false}", "the following directives are specified both as a flag and in the configuration file: debug: (from flag: true, from file: false)")]
    public void Bad_file_keeps_the_current_config(string json, string reason)
    {
        DaemonConfig current = Start("{}", "-D");
        _dir.Write(json);
        ConfigReloadResult r = ConfigLoader.Reload(current, _dir.Args("-D"));
        Assert.StartsWith($"unable to configure the Berth daemon with file {_dir.File}: {reason}", r.Error, StringComparison.Ordinal);
        Assert.Same(current, r.Config);
        Assert.Empty(r.ChangedKeys);
    }

    [Fact]
    public void Validation_failure_keeps_the_current_config()
    {
        DaemonConfig current = Start("{}");
        _dir.Write("""{"log-level": "shout"}""");
        ConfigReloadResult r = ConfigLoader.Reload(current, _dir.Args());
        Assert.Equal("file configuration validation failed: invalid logging level: shout", r.Error);
        Assert.Same(current, r.Config);

        _dir.Write("""{"labels": ["a=1", "a=2"]}""");
        Assert.Equal("conflict labels for a=2 and a=1", ConfigLoader.Reload(current, _dir.Args()).Error);
    }

    [Fact]
    public void Missing_default_file_changes_nothing_but_missing_explicit_file_fails()
    {
        DaemonConfig current = Start("""{"debug": true}""");
        File.Delete(_dir.File);
        ConfigReloadResult explicitFile = ConfigLoader.Reload(current, _dir.Args());
        Assert.Equal($"unable to configure the Berth daemon with file {_dir.File}: open {_dir.File}: no such file or directory", explicitFile.Error);
        ConfigReloadResult defaultFile = ConfigLoader.Reload(current, [], _dir.File);
        Assert.Null(defaultFile.Error);
        Assert.Same(current, defaultFile.Config);
    }

    [Fact]
    public void Reload_event_attributes_match_dockerd_shapes()
    {
        var config = new DaemonConfig { Debug = true, Labels = ["a=1", "html=<b>&"], LogLevel = "warn" };
        IReadOnlyDictionary<string, string> attrs = ConfigLoader.ReloadAttributes(config);
        Assert.Equal("true", attrs["debug"]);
        Assert.Equal("""["a=1","html=\u003cb\u003e\u0026"]""", attrs["labels"]);
        Assert.Equal("warn", attrs["log-level"]);
        Assert.Equal("[]", ConfigLoader.ReloadAttributes(new DaemonConfig())["labels"]);
    }
}
