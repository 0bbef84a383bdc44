using Berth.Daemon.Configuration;
using Berth.Engine.Configuration;

namespace Berth.UnitTests.Daemon.Configuration;

/// <summary>log-driver / log-opts as flags and daemon.json keys.</summary>
public sealed class LogConfigTests : IDisposable
{
    private readonly ConfigTestDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private ConfigLoadResult Load(string json, params string[] args) => _dir.Load(json, args);

    [Fact]
    public void Defaults_are_json_file_without_options()
    {
        DaemonConfig c = Load("").Config!;
        Assert.Equal("json-file", c.LogDriver);
        Assert.Empty(c.LogOpts);
    }

    [Fact]
    public void File_keys_are_read()
    {
        DaemonConfig c = Load("""{"log-driver": "local", "log-opts": {"max-size": "1m", "max-file": "2"}}""").Config!;
        Assert.Equal("local", c.LogDriver);
        Assert.Equal(new Dictionary<string, string> { ["max-size"] = "1m", ["max-file"] = "2" }, c.LogOpts);
    }

    [Fact]
    public void Flags_are_repeatable_key_value_pairs()
    {
        DaemonConfig c = Load("", "--log-opt", "max-size=10k", "--log-opt", "max-file=3", "--log-driver", "json-file").Config!;
        Assert.Equal(new Dictionary<string, string> { ["max-size"] = "10k", ["max-file"] = "3" }, c.LogOpts);
    }

    [Fact]
    public void Bad_options_refuse_to_start_with_dockerds_text()
    {
        Assert.Equal("failed to set log opts: unknown log opt 'nope' for json-file log driver", Load("""{"log-opts": {"nope": "1"}}""").Error);
        Assert.Contains("failed to set log opts: error looking up logging plugin foo", Load("", "--log-driver", "foo").Error, StringComparison.Ordinal);
        Assert.Contains("expected an object of strings", Load("""{"log-opts": {"max-size": 1}}""").Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Flag_and_file_conflict_names_both_values()
    {
        string? error = Load("""{"log-opts": {"max-size": "1m"}}""", "--log-opt", "max-size=2m").Error;
        Assert.Contains("log-opts: (from flag: map[max-size:2m], from file: map[max-size:1m])", error, StringComparison.Ordinal);
    }
}
