using Berth.Daemon.Configuration;
using Berth.Engine.Configuration;

namespace Berth.UnitTests.Daemon.Configuration;

public sealed class ConfigLoaderTests : IDisposable
{
    private readonly ConfigTestDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private DaemonConfig LoadOk(string json, params string[] args)
    {
        _dir.Write(json);
        ConfigLoadResult result = ConfigLoader.Load(_dir.Args(args));
        Assert.Null(result.Error);
        return result.Config!;
    }

    private string LoadError(string json, params string[] args)
    {
        _dir.Write(json);
        ConfigLoadResult result = ConfigLoader.Load(_dir.Args(args));
        Assert.Null(result.Config);
        Assert.NotNull(result.Error);
        Assert.DoesNotContain('\n', result.Error);
        return result.Error!;
    }

    [Fact]
    public void Defaults_with_empty_file()
    {
        DaemonConfig c = LoadOk("");
        Assert.Equal([DaemonConfig.DefaultHost], c.Hosts);
        Assert.Equal(_dir.File, c.ConfigFile);
        Assert.Equal("/var/lib/berth", c.DataRoot);
        Assert.Equal("info", c.LogLevel);
        Assert.False(c.Debug);
        Assert.Null(c.Tls);
        Assert.False(c.TlsVerify);
        Assert.Null(c.Group);
        Assert.Empty(c.Labels);
        Assert.Equal("BERTH", c.IptablesChainPrefix);
        Assert.Equal(new DaemonConfig().DefaultAddressPools, c.DefaultAddressPools);
    }

    [Fact]
    public void Missing_default_file_is_fine_but_missing_explicit_file_is_not()
    {
        string missing = Path.Combine(_dir.Path, "nope.json");
        ConfigLoadResult ok = ConfigLoader.Load(["-D"], missing);
        Assert.Null(ok.Error);
        Assert.True(ok.Config!.Debug);

        ConfigLoadResult bad = ConfigLoader.Load(["--config-file", missing]);
        Assert.Equal($"unable to configure the Berth daemon with file {missing}: open {missing}: no such file or directory", bad.Error);
    }

    [Fact]
    public void Flags_and_file_are_merged()
    {
        DaemonConfig c = LoadOk(
            """{"debug": true, "labels": ["a=1"], "data-root": "/srv/berth/../berth-data", "bridge": "br-test"}""",
            "-H", "unix:///tmp/b.sock", "--log-level", "WARN", "-G", "wheel", "--exec-root", "/run/b", "--iptables-chain-prefix", "BT1");
        Assert.True(c.Debug);
        Assert.Equal(["a=1"], c.Labels);
        Assert.Equal("/srv/berth-data", c.DataRoot); // cleaned
        Assert.Equal("br-test", c.Bridge);
        Assert.Equal(["unix:///tmp/b.sock"], c.Hosts);
        Assert.Equal("warn", c.LogLevel);
        Assert.Equal("wheel", c.Group);
        Assert.Equal("/run/b", c.ExecRoot);
        Assert.Equal("BT1", c.IptablesChainPrefix);
    }

    [Fact]
    public void Dns_servers_from_flags_or_file()
    {
        Assert.Equal(["127.0.0.1", "::1"], LoadOk("{}", "--dns", "127.0.0.1", "--dns", "::1").Dns);
        Assert.Equal(["10.0.0.2"], LoadOk("""{"dns": ["10.0.0.2"]}""").Dns);
        Assert.Empty(LoadOk("{}").Dns);
        Assert.EndsWith("merged configuration validation from file and command line flags failed: IP address is not correctly formatted: nope", LoadError("""{"dns": ["nope"]}"""));
    }

    [Fact]
    public void Hosts_are_normalised_sorted_and_deduplicated()
    {
        DaemonConfig c = LoadOk("{}", "-H", "tcp://:2376", "-H", "unix://", "-H", "localhost:2376", "--host=fd://", "-H", " ");
        Assert.Equal(["fd://", "tcp://localhost:2376", DaemonConfig.DefaultHost], c.Hosts);
        Assert.Equal(["tcp://127.0.0.1:2375"], LoadOk("""{"hosts": ["tcp://127.0.0.1"]}""").Hosts);
    }

    [Theory]
    [InlineData(new string[0], null, false, DaemonConfig.DefaultHost)]
    [InlineData(new[] { "--tls" }, true, true, "tcp://localhost:2376")]
    [InlineData(new[] { "--tls=true" }, true, true, "tcp://localhost:2376")]
    [InlineData(new[] { "--tls=false" }, false, false, DaemonConfig.DefaultHost)]
    [InlineData(new[] { "--tls", "false" }, false, false, DaemonConfig.DefaultHost)]
    [InlineData(new[] { "--tlsverify" }, true, true, "tcp://localhost:2376")]
    [InlineData(new[] { "--tlsverify=false" }, true, false, "tcp://localhost:2376")]
    [InlineData(new[] { "--tls", "--tlsverify=false" }, true, false, "tcp://localhost:2376")]
    public void Tls_flags_follow_dockerd(string[] args, bool? tls, bool verify, string host)
    {
        DaemonConfig c = LoadOk("{}", args);
        Assert.Equal(tls, c.Tls);
        Assert.Equal(verify, c.TlsVerify);
        Assert.Equal([host], c.Hosts);
    }

    [Fact]
    public void Tls_from_file()
    {
        DaemonConfig off = LoadOk("""{"tls": false}""");
        Assert.False(off.Tls);
        Assert.False(off.TlsEnabled);
        // tlsverify in the file turns TLS on, but (as in dockerd) after hosts were defaulted.
        DaemonConfig verify = LoadOk("""{"tlsverify": true, "tlscert": "/c.pem"}""");
        Assert.True(verify.Tls);
        Assert.True(verify.TlsVerify);
        Assert.Equal("/c.pem", verify.TlsCert);
        Assert.Equal([DaemonConfig.DefaultHost], verify.Hosts);
    }

    [Fact]
    public void Labels_are_validated_and_deduplicated()
    {
        Assert.Equal(["a=1", "b=2"], LoadOk("{}", "--label", "a=1", "--label", "b=2", "--label", "a=1").Labels);
        Assert.Equal("invalid argument \"nokey\" for \"--label\" flag: bad attribute format: nokey", LoadError("{}", "--label", "nokey"));
        Assert.Equal("conflict labels for a=2 and a=1", LoadError("{}", "--label", "a=1", "--label", "a=2"));
        Assert.Equal(
            $"unable to configure the Berth daemon with file {_dir.File}: merged configuration validation from file and command line flags failed: label com.docker.x=1 is not allowed: the namespaces com.docker.*, io.docker.*, and org.dockerproject.* are reserved for internal use",
            LoadError("""{"labels": ["com.docker.x=1"]}"""));
    }

    [Fact]
    public void Address_pools_from_flag_and_file()
    {
        DaemonConfig flag = LoadOk("{}", "--default-address-pool", "base=172.30.0.1/16,size=24", "--default-address-pool", "BASE=fd00::/48,Size=64");
        Assert.Equal([new AddressPool("172.30.0.0/16", 24), new AddressPool("fd00::/48", 64)], flag.DefaultAddressPools);
        DaemonConfig file = LoadOk("""{"default-address-pools": [{"base": "10.10.0.0/16", "size": 24}]}""");
        Assert.Equal([new AddressPool("10.10.0.0/16", 24)], file.DefaultAddressPools);
    }

    [Theory]
    [InlineData("base=172.30.0.0/16,size=x", "invalid argument \"base=172.30.0.0/16,size=x\" for \"--default-address-pool\" flag: invalid size value: \"base=172.30.0.0/16,size=x\" (must be integer): strconv.Atoi: parsing \"x\": invalid syntax")]
    [InlineData("base=nope,size=24", "invalid argument \"base=nope,size=24\" for \"--default-address-pool\" flag: invalid base prefix \"nope\": not a valid CIDR prefix")]
    [InlineData("base", "invalid argument \"base\" for \"--default-address-pool\" flag: invalid field 'base' must be a key=value pair")]
    [InlineData("scope=local", "invalid argument \"scope=local\" for \"--default-address-pool\" flag: unexpected key 'scope' in 'scope=local'")]
    [InlineData("base=172.30.0.0/16,size=8", "invalid default-address-pool at index 0 (base=172.30.0.0/16,size=8): has a smaller prefix (/16) than the target size of that pool (/8)")]
    [InlineData("base=172.30.0.0/16,size=33", "invalid default-address-pool at index 0 (base=172.30.0.0/16,size=33): size /33 is longer than the address (/32)")]
    [InlineData("size=24", "invalid default-address-pool at index 0 (base=,size=24): not in canonical form")]
    public void Bad_pools(string pool, string expected) => Assert.Equal(expected, LoadError("{}", "--default-address-pool", pool));

    [Fact]
    public void Unknown_keys_are_listed_sorted()
    {
        Assert.Equal(
            $"unable to configure the Berth daemon with file {_dir.File}: the following directives don't match any configuration option: bar, foo, label",
            LoadError("""{"foo": 1, "debug": true, "bar": "x", "label": ["a=b"]}"""));
    }

    [Fact]
    public void Flag_and_file_conflicts_use_dockerd_format()
    {
        Assert.Equal(
            $"unable to configure the Berth daemon with file {_dir.File}: the following directives are specified both as a flag and in the configuration file: debug: (from flag: true, from file: false)",
            LoadError("""{"debug": false}""", "-D"));
        Assert.Equal(
            $"unable to configure the Berth daemon with file {_dir.File}: the following directives are specified both as a flag and in the configuration file: "
            + "default-address-pools: (from flag: 10.1.0.0/16 24, from file: [map[base:10.2.0.0/16 size:24]]), "
            + "hosts: (from flag: [unix:///a.sock tcp://:1], from file: [fd://]), "
            + "labels: (from flag: [a=1], from file: [b=2]), "
            + "log-level: (from flag: debug, from file: info)",
            LoadError(
                """{"labels": ["b=2"], "hosts": ["fd://"], "log-level": "info", "default-address-pools": [{"base": "10.2.0.0/16", "size": 24}]}""",
                "--label", "a=1", "-H", "unix:///a.sock", "-H", "tcp://:1", "-l", "debug", "--default-address-pool", "base=10.1.0.0/16,size=24"));
    }

    [Theory]
    [InlineData("{\"debug\": tru}")]
    [InlineData("{\"debug\": true,}")]
    [InlineData("[1, 2]")]
    public void Bad_json(string json)
    {
        Assert.StartsWith($"unable to configure the Berth daemon with file {_dir.File}: invalid JSON: ", LoadError(json));
    }

    [Theory]
    [InlineData("""{"debug": "yes"}""", "invalid value for \"debug\": expected a boolean, got string")]
    [InlineData("""{"data-root": 5}""", "invalid value for \"data-root\": expected a string, got number")]
    [InlineData("""{"labels": "a=b"}""", "invalid value for \"labels\": expected an array of strings, got string")]
    [InlineData("""{"hosts": [1]}""", "invalid value for \"hosts\": expected an array of strings, got array")]
    [InlineData("""{"default-address-pools": [{"base": "10.0.0.0/8", "size": 1.5}]}""", "invalid value for \"default-address-pools\": \"size\" must be an integer, got 1.5")]
    public void Wrong_value_types(string json, string reason)
    {
        Assert.Equal($"unable to configure the Berth daemon with file {_dir.File}: {reason}", LoadError(json));
    }

    [Theory]
    [InlineData(new[] { "--log-level", "loud" }, "invalid logging level: loud")]
    [InlineData(new[] { "-H", "udp://x" }, "invalid argument \"udp://x\" for \"-H, --host\" flag: invalid bind address (udp://x): unsupported proto 'udp'")]
    [InlineData(new[] { "--iptables-chain-prefix", "THIS-IS-TOO-LONG" }, "invalid iptables-chain-prefix \"THIS-IS-TOO-LONG\": use 1 to 10 letters, digits, '_' or '-', starting with a letter")]
    [InlineData(new[] { "--bridge", "a-very-long-bridge-name" }, "invalid bridge name \"a-very-long-bridge-name\": must be at most 15 characters without '/', ':' or spaces")]
    [InlineData(new[] { "--dns", "8.8.8" }, "invalid argument \"8.8.8\" for \"--dns\" flag: IP address is not correctly formatted: 8.8.8")]
    public void Flag_errors_without_file(string[] args, string expected)
    {
        ConfigLoadResult result = ConfigLoader.Load(args, Path.Combine(_dir.Path, "absent.json"));
        Assert.Equal(expected, result.Error);
    }

    [Fact]
    public void File_validation_errors_carry_the_file_prefix()
    {
        Assert.Equal(
            $"unable to configure the Berth daemon with file {_dir.File}: merged configuration validation from file and command line flags failed: invalid logging level: loud",
            LoadError("""{"log-level": "loud"}"""));
        Assert.Equal(
            $"unable to configure the Berth daemon with file {_dir.File}: merged configuration validation from file and command line flags failed: invalid bind address (/tmp/x.sock): should not contain a path element",
            LoadError("""{"hosts": ["/tmp/x.sock"]}"""));
    }

    [Fact]
    public void Unknown_flag_is_one_line_error()
    {
        ConfigLoadResult result = ConfigLoader.Load(["--bogus"], Path.Combine(_dir.Path, "absent.json"));
        Assert.Null(result.Config);
        Assert.Contains("--bogus", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_version_and_help_flags()
    {
        string absent = Path.Combine(_dir.Path, "absent.json");
        ConfigLoadResult validate = ConfigLoader.Load(["--validate"], absent);
        Assert.True(validate.ValidateOnly);
        Assert.NotNull(validate.Config);
        ConfigLoadResult invalid = ConfigLoader.Load(["--validate", "-l", "x"], absent);
        Assert.True(invalid.ValidateOnly);
        Assert.Equal("invalid logging level: x", invalid.Error);
        Assert.True(ConfigLoader.Load(["-v"], absent).ShowVersion);
        Assert.True(ConfigLoader.Load(["--version"], absent).ShowVersion);
        Assert.True(ConfigLoader.Load(["--help"], absent).ShowHelp);
        Assert.Contains("-H, --host list", ConfigLoader.Usage(), StringComparison.Ordinal);
    }

    [Fact]
    public void Utf8_bom_is_accepted()
    {
        File.WriteAllBytes(_dir.File, [0xEF, 0xBB, 0xBF, .. "{\"debug\": true}"u8.ToArray()]);
        Assert.True(ConfigLoader.Load(_dir.Args()).Config!.Debug);
    }

    [Fact]
    public void Empty_pidfile_means_none()
    {
        Assert.Equal("", LoadOk("{}", "--pidfile", "").PidFile);
        Assert.Equal("/tmp/b.pid", LoadOk("{}", "-p", "/tmp/b.pid").PidFile);
    }
}
