using Berth.Engine.Containers;
using Berth.Engine.Errors;
using Berth.Engine.Filters;
using Berth.Runtime.Containers;
using ImageRunConfig = Berth.Engine.Images.ContainerConfig;

namespace Berth.UnitTests.Engine.Containers;

public sealed class NameGeneratorTests
{
    [Fact]
    public void Names_AreAdjectiveUnderscoreSurname_AndRetriesAppendADigit()
    {
        var random = new Random(42);
        for (int i = 0; i < 200; i++)
        {
            string name = NameGenerator.Generate(0, random);
            string[] parts = name.Split('_');
            Assert.Equal(2, parts.Length);
            Assert.Contains(parts[0], NameGenerator.Adjectives);
            Assert.Contains(parts[1], NameGenerator.Surnames);
            Assert.Matches("^[a-zA-Z0-9][a-zA-Z0-9_.-]+$", name); // dockerd's name rule
        }
        Assert.Matches("^[a-z]+_[a-z]+[0-9]$", NameGenerator.Generate(1, random));
    }

    [Fact]
    public void WordLists_HaveNoDuplicates() =>
        Assert.Equal(NameGenerator.Adjectives.Length + NameGenerator.Surnames.Length,
            NameGenerator.Adjectives.Concat(NameGenerator.Surnames).Distinct().Count());
}

public sealed class ContainerConfigMergeTests
{
    private static readonly ImageRunConfig Image = new()
    {
        User = "app",
        Env = ["PATH=/bin", "A=image"],
        Cmd = ["/bin/sh"],
        Entrypoint = ["/entry"],
        WorkingDir = "/srv",
        Labels = new Dictionary<string, string> { ["a"] = "image", ["b"] = "image" },
        StopSignal = "SIGQUIT",
    };

    [Fact]
    public void ImageFillsWhatTheContainerLeftEmpty()
    {
        var merged = ContainerConfigMerge.Merge(new ContainerSettings { Env = ["A=mine"], Labels = new Dictionary<string, string> { ["a"] = "mine" } }, Image);
        Assert.Equal("app", merged.User);
        Assert.Equal(["A=mine", "PATH=/bin"], merged.Env);
        Assert.Equal(["/bin/sh"], merged.Cmd);
        Assert.Equal(["/entry"], merged.Entrypoint);
        Assert.Equal("/srv", merged.WorkingDir);
        Assert.Equal("mine", merged.Labels["a"]);
        Assert.Equal("image", merged.Labels["b"]);
        Assert.Equal("SIGQUIT", merged.StopSignal);
    }

    [Fact]
    public void ContainerEntrypoint_DropsImageCmd_ContainerCmd_KeepsImageEntrypoint()
    {
        var withEntrypoint = ContainerConfigMerge.Merge(new ContainerSettings { Entrypoint = ["/mine"] }, Image);
        Assert.Equal(["/mine"], withEntrypoint.Entrypoint);
        Assert.Null(withEntrypoint.Cmd);
        var withCmd = ContainerConfigMerge.Merge(new ContainerSettings { Cmd = ["ls"] }, Image);
        Assert.Equal(["/entry"], withCmd.Entrypoint);
        Assert.Equal(["ls"], withCmd.Cmd);
        var reset = ContainerConfigMerge.Merge(new ContainerSettings { Entrypoint = [] }, Image);
        Assert.Empty(reset.Entrypoint!);
        Assert.Equal(["/bin/sh"], reset.Cmd);
    }

    [Fact]
    public void PathAndArgs()
    {
        var (path, args) = ContainerConfigMerge.EntrypointAndArgs(["/entry"], ["ls", "-l"]);
        Assert.Equal("/entry", path);
        Assert.Equal(["ls", "-l"], args);
        (path, args) = ContainerConfigMerge.EntrypointAndArgs([""], ["echo", "hi"]);
        Assert.Equal("echo", path);
        Assert.Equal(["hi"], args);
        var e = Assert.Throws<DaemonException>(() => ContainerConfigMerge.EntrypointAndArgs(null, []));
        Assert.Equal(ErrorKind.InvalidParameter, e.Kind);
    }
}

public sealed class ContainerStateTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Lifecycle_CreatedRunningExited_AndStartAgain()
    {
        var created = new ContainerState();
        Assert.Equal("created", ContainerState.StatusText(created.Status));
        var running = created.ToRunning(42, T0);
        Assert.True(running.Running);
        Assert.Equal(42, running.Pid);
        var exited = running.ToExited(7, false, T0.AddSeconds(3));
        Assert.False(exited.Running);
        Assert.Equal((ContainerStatus.Exited, 7, 0), (exited.Status, exited.ExitCode, exited.Pid));
        var again = exited.ToRunning(43, T0.AddSeconds(5));
        Assert.Equal(0, again.ExitCode);
        Assert.Throws<InvalidOperationException>(() => again.ToRunning(44, T0));
        Assert.Throws<DaemonException>(() => again.ToRemoving());
    }

    [Fact]
    public void FailedStart_KeepsCreated_WithCodeAndError()
    {
        var failed = new ContainerState().ToStartFailed(127, "exec: \"x\": executable file not found in $PATH");
        Assert.Equal(ContainerStatus.Created, failed.Status);
        Assert.Equal(127, failed.ExitCode);
        Assert.Contains("not found", failed.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0.4, "Less than a second")]
    [InlineData(1, "1 second")]
    [InlineData(59, "59 seconds")]
    [InlineData(60, "About a minute")]
    [InlineData(150, "2 minutes")]
    [InlineData(3600, "About an hour")]
    [InlineData(7200, "2 hours")]
    [InlineData(3 * 86400, "3 days")]
    public void HumanDuration_MatchesGoUnits(double seconds, string expected) =>
        Assert.Equal(expected, StatusText.HumanDuration(TimeSpan.FromSeconds(seconds)));

    [Fact]
    public void StatusColumn()
    {
        var now = T0.AddSeconds(10);
        Assert.Equal("Created", StatusText.Describe(new ContainerState(), false, now));
        Assert.Equal("Up 10 seconds", StatusText.Describe(new ContainerState().ToRunning(1, T0), false, now));
        Assert.Equal("Exited (3) 5 seconds ago", StatusText.Describe(new ContainerState().ToRunning(1, T0).ToExited(3, false, T0.AddSeconds(5)), false, now));
    }
}

public sealed class ExitCodeAndSignalTests
{
    [Theory]
    [InlineData("runc create failed: unable to start container process: exec: \"nope\": executable file not found in $PATH", "nope", 127)]
    [InlineData("exec: \"/bin/nope\": stat /bin/nope: no such file or directory", "/bin/nope", 127)]
    [InlineData("exec: \"/etc/passwd\": permission denied", "/etc/passwd", 126)]
    [InlineData("cgroup: something else failed", "sh", null)]
    public void RuntimeErrors_MapLikeDockerd(string message, string command, int? expected) =>
        Assert.Equal(expected, ConmonContainerRuntime.ExitCodeFor(message, command));

    [Theory]
    [InlineData("KILL", 9)]
    [InlineData("SIGTERM", 15)]
    [InlineData("term", 15)]
    [InlineData("1", 1)]
    [InlineData("SIGRTMIN+2", 36)]
    public void Signals_Parse(string text, int expected) => Assert.Equal(expected, Signals.Parse(text));

    [Theory]
    [InlineData("NOPE")]
    [InlineData("0")]
    [InlineData("99")]
    public void Signals_Invalid(string text)
    {
        var e = Assert.Throws<DaemonException>(() => Signals.Parse(text));
        Assert.Equal($"Invalid signal: {text}", e.Message);
    }
}

public sealed class ContainerFilterTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static ContainerRecord Record(string id, string name, int ageSeconds, ContainerState state, Dictionary<string, string>? labels = null) => new()
    {
        Id = id.PadRight(64, '0'),
        Name = name,
        Created = T0.AddSeconds(-ageSeconds),
        Path = "sh",
        Args = [],
        ImageId = "sha256:" + new string('a', 64),
        Config = new ContainerSettings { Image = "busybox", Labels = labels ?? [] },
        HostConfig = new HostSettings(),
        State = state,
        ContainerDir = "/x",
        LogPath = "/x/log",
    };

    private static readonly ContainerState Running = new ContainerState().ToRunning(1, T0);
    private static readonly ContainerState Exited0 = Running.ToExited(0, false, T0);
    private static readonly ContainerState Exited1 = Running.ToExited(1, false, T0);

    private static readonly ContainerRecord[] All =
    [
        Record("aa", "web", 1, Running, new Dictionary<string, string> { ["tier"] = "front" }),
        Record("bb", "db", 2, Exited0),
        Record("cc", "job", 3, Exited1),
        Record("dd", "new", 4, new ContainerState()),
    ];

    private static List<string> Names(string filters, bool all = true, int limit = -1, DateTimeOffset? before = null, DateTimeOffset? since = null) =>
        [.. new ContainerFilter(FilterArgs.Parse(filters), new HashSet<string>(), before, since).Apply(All, all, limit).Select(r => r.Name)];

    [Fact]
    public void NewestFirst_RunningOnlyUnlessAll()
    {
        Assert.Equal(["web", "db", "job", "new"], Names(""));
        Assert.Equal(["web"], Names("", all: false));
        Assert.Equal(["web", "db"], Names("", all: false, limit: 2));
    }

    [Fact]
    public void StatusExitedNameLabelId()
    {
        Assert.Equal(["db", "job"], Names("""{"status":{"exited":true}}""", all: false));
        Assert.Equal(["job"], Names("""{"exited":{"1":true}}"""));
        Assert.Equal(["new"], Names("""{"status":{"created":true}}"""));
        Assert.Equal(["web"], Names("""{"label":{"tier=front":true}}"""));
        Assert.Equal(["db"], Names("""{"name":{"^/d":true}}"""));
        Assert.Equal(["job"], Names("""{"id":{"cc":true}}"""));
    }

    [Fact]
    public void BeforeAndSince()
    {
        Assert.Equal(["job", "new"], Names("", before: T0.AddSeconds(-2)));
        Assert.Equal(["web"], Names("", since: T0.AddSeconds(-2)));
    }

    [Fact]
    public void InvalidFilters_Are400()
    {
        Assert.Equal("invalid filter 'status=nope'", Assert.Throws<DaemonException>(() => Names("""{"status":{"nope":true}}""")).Message);
        Assert.Equal(ErrorKind.InvalidParameter, Assert.Throws<DaemonException>(() => Names("""{"bogus":{"x":true}}""")).Kind);
    }
}

public sealed class ContainerFilesTests
{
    [Fact]
    public void ResolvConf_DropsLocalhost_FallsBackToGoogle()
    {
        string text = ContainerFiles.ResolvConfText("nameserver 127.0.0.53\noptions edns0\nsearch example.com\n", [], [], []);
        Assert.Equal("nameserver 8.8.8.8\nnameserver 8.8.4.4\nsearch example.com\noptions edns0\n", text);
        Assert.Equal("nameserver 10.0.0.2\n", ContainerFiles.ResolvConfText("nameserver 10.0.0.2\nnameserver ::1\n", [], [], []));
        Assert.Equal("nameserver 1.1.1.1\n", ContainerFiles.ResolvConfText("nameserver 10.0.0.2\n", ["1.1.1.1"], [], []));
    }

    [Fact]
    public void Hosts_HasLocalhostAndTheHostname()
    {
        string hosts = ContainerFiles.HostsText("abc123", "");
        Assert.StartsWith("127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n", hosts, StringComparison.Ordinal);
        Assert.EndsWith("\tabc123\n", hosts, StringComparison.Ordinal);
    }
}

public sealed class SpecMappingTests
{
    [Fact]
    public void BridgeRunsAsNone_HostPassesThrough()
    {
        Assert.Equal("none", SpecInputMapper.NetworkModeForSpec("bridge"));
        Assert.Equal("none", SpecInputMapper.NetworkModeForSpec("mynet"));
        Assert.Equal("host", SpecInputMapper.NetworkModeForSpec("host"));
        Assert.Equal("container:abc", SpecInputMapper.NetworkModeForSpec("container:abc"));
    }

    [Fact]
    public void RecordSurvivesPersistence()
    {
        var record = new ContainerRecord
        {
            Id = new string('a', 64),
            Name = "x",
            Created = DateTimeOffset.UnixEpoch,
            Path = "sh",
            Args = ["-c", "true"],
            ImageId = "sha256:" + new string('b', 64),
            Config = new ContainerSettings { Entrypoint = [], Env = ["A=1"] },
            HostConfig = new HostSettings { AutoRemove = true },
            State = new ContainerState().ToRunning(5, DateTimeOffset.UnixEpoch),
            ContainerDir = "/d",
            LogPath = "/d/l",
            Monitor = new MonitorHandle("/b", "/s", 5, 6, "/berth/x", null),
        };
        var back = ContainerRecordJson.Deserialize(ContainerRecordJson.Serialize(record));
        Assert.NotNull(back.Config.Entrypoint); // [] (reset) must not come back as null (inherit)
        Assert.Empty(back.Config.Entrypoint);
        Assert.Equal(record.State, back.State);
        Assert.Equal(record.Monitor, back.Monitor);
        Assert.True(back.HostConfig.AutoRemove);
    }
}
