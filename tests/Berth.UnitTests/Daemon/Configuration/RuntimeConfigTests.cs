using Berth.Daemon.Configuration;
using Berth.Engine.Configuration;

namespace Berth.UnitTests.Daemon.Configuration;

public sealed class RuntimeConfigTests : IDisposable
{
    private readonly ConfigTestDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private ConfigLoadResult Load(string json, params string[] args) => _dir.Load(json, args);

    [Fact]
    public void Defaults_are_runc_only()
    {
        var c = Load("").Config!;
        Assert.Equal("runc", c.DefaultRuntime);
        Assert.Empty(c.Runtimes);
    }

    [Fact]
    public void Add_runtime_flags_are_read_lower_cased_and_trimmed()
    {
        var c = Load("", "--add-runtime", "crun=/usr/bin/crun", "--add-runtime", " Kata = kata-runtime ", "--default-runtime", "crun").Config!;
        Assert.Equal("crun", c.DefaultRuntime);
        Assert.Equal(new OciRuntimeConfig("/usr/bin/crun"), c.Runtimes["crun"] with { Args = [] });
        Assert.Equal("kata-runtime", c.Runtimes["kata"].Path);
        Assert.Empty(c.Runtimes["crun"].Args);
    }

    [Fact]
    public void File_runtimes_carry_path_and_runtime_args()
    {
        var c = Load("""{"runtimes": {"crun": {"path": "/usr/bin/crun", "runtimeArgs": ["--debug", "--cgroup-manager=cgroupfs"]}, "x": {"Path": "x-rt", "extra": 1}}, "default-runtime": "x"}""").Config!;
        Assert.Equal("/usr/bin/crun", c.Runtimes["crun"].Path);
        Assert.Equal(["--debug", "--cgroup-manager=cgroupfs"], c.Runtimes["crun"].Args);
        Assert.Equal("x-rt", c.Runtimes["x"].Path);
        Assert.Equal("x", c.DefaultRuntime);
    }

    [Theory]
    [InlineData("runc=/usr/bin/crun", "runtime name 'runc' is reserved")]
    [InlineData("RUNC=/usr/bin/crun", "runtime name 'runc' is reserved")]
    [InlineData("io.containerd.runc.v2=/usr/bin/crun", "runtime name 'io.containerd.runc.v2' is reserved")]
    [InlineData("crun", "invalid runtime argument: crun")]
    [InlineData("crun=", "invalid runtime argument: crun=")]
    [InlineData("=/usr/bin/crun", "invalid runtime argument: =/usr/bin/crun")]
    public void Bad_flags_fail_with_pflags_prefix(string value, string error)
    {
        var result = Load("", "--add-runtime", value);
        Assert.Null(result.Config);
        Assert.Equal($"invalid argument \"{value}\" for \"--add-runtime\" flag: {error}", result.Error);
    }

    [Fact]
    public void A_runtime_given_twice_on_the_command_line_is_refused()
    {
        var result = Load("", "--add-runtime", "crun=/usr/bin/crun", "--add-runtime", "crun=/opt/crun");
        Assert.Equal("invalid argument \"crun=/opt/crun\" for \"--add-runtime\" flag: runtime 'crun' was already defined", result.Error);
    }

    [Fact]
    public void Runtimes_in_flag_and_file_conflict()
    {
        var result = Load("""{"runtimes": {"crun": {"path": "/usr/bin/crun"}}}""", "--add-runtime", "crun=/usr/bin/crun");
        Assert.Null(result.Config);
        Assert.EndsWith("the following directives are specified both as a flag and in the configuration file: runtimes: (from flag: [crun], from file: map[crun:map[path:/usr/bin/crun]])", result.Error);
    }

    [Fact]
    public void Default_runtime_in_flag_and_file_conflict()
    {
        var result = Load("""{"default-runtime": "runc"}""", "--default-runtime", "runc");
        Assert.EndsWith("default-runtime: (from flag: runc, from file: runc)", result.Error);
    }

    [Theory]
    [InlineData("""{"runtimes": {"runc": {"path": "/usr/bin/crun"}}}""", "runtime name 'runc' is reserved")]
    [InlineData("""{"runtimes": {"io.containerd.runc.v2": {"path": "/usr/bin/crun"}}}""", "runtime name 'io.containerd.runc.v2' is reserved")]
    [InlineData("""{"default-runtime": "crun"}""", "specified default runtime 'crun' does not exist")]
    [InlineData("""{"runtimes": {"crun": {}}}""", "runtime crun: either a runtimeType or a path must be configured")]
    [InlineData("""{"runtimes": {"crun": {"path": "/usr/bin/crun", "runtimeType": "io.containerd.crun.v2"}}}""", "runtime crun: cannot configure both path and runtimeType for the same runtime")]
    [InlineData("""{"runtimes": {"crun": {"path": "/usr/bin/crun", "options": {"a": 1}}}}""", "runtime crun: options cannot be used with a path runtime")]
    [InlineData("""{"runtimes": {"crun": {"path": "/usr/bin/crun", "runtimeArgs": "--debug"}}}""", "\"runtimeArgs\" must be an array of strings")]
    [InlineData("""{"runtimes": {"crun": "/usr/bin/crun"}}""", "runtime crun: expected an object, got string")]
    [InlineData("""{"runtimes": {"../x": {"path": "/usr/bin/crun"}}}""", "runtime name '../x' is invalid")]
    public void Bad_file_settings_stop_the_daemon(string json, string error)
    {
        var result = Load(json);
        Assert.Null(result.Config);
        Assert.Contains(error, result.Error);
    }

    [Fact]
    public void Default_runtime_flag_must_name_a_known_runtime()
    {
        Assert.Equal("specified default runtime 'crun' does not exist", Load("", "--default-runtime", "crun").Error?.Split(": ")[^1]);
        Assert.Equal("io.containerd.runc.v2", Load("", "--default-runtime", "io.containerd.runc.v2").Config!.DefaultRuntime);
        Assert.Equal("crun", Load("""{"runtimes": {"crun": {"path": "crun"}}}""", "--default-runtime", "crun").Config!.DefaultRuntime);
    }
}
