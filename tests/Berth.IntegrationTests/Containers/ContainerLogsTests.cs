using System.Globalization;
using System.Text.RegularExpressions;
using Berth.IntegrationTests.Harness;

namespace Berth.IntegrationTests.Containers;

/// <summary>docker logs (json-file behaviour over conmon's log), log drivers and options, rotation.</summary>
public sealed partial class ContainerLogsTests : CliTestBase<BerthDaemon>, IClassFixture<BerthDaemon>, IAsyncLifetime
{
    public ContainerLogsTests(BerthDaemon daemon, ITestOutputHelper output)
        : base(daemon, output)
    {
    }

    public Task InitializeAsync() => ContainerTestSupport.EnsureBusyboxAsync(Docker);

    public Task DisposeAsync() => ContainerTestSupport.RemoveAllAndCheckCleanAsync(Daemon, Docker);

    [GeneratedRegex(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z (.*)$")]
    private static partial Regex TimestampedLine();

    [Fact]
    public async Task Logs_SplitStreams_Timestamps_Tail()
    {
        await Docker.RunOkAsync("run", "--name", "split", "busybox", "sh", "-c", "echo out1; echo err1 >&2; echo out2; printf partial");
        var all = await Docker.RunAsync("logs", "split");
        Assert.Equal(0, all.ExitCode);
        Assert.Equal("out1\nout2\npartial", all.Stdout);
        Assert.Equal("err1\n", all.Stderr);

        var stamped = (await Docker.RunOkAsync("logs", "-t", "split")).Split('\n');
        Assert.Equal(["out1", "out2", "partial"], stamped.Select(l => TimestampedLine().Match(l)).Select(m => m.Success ? m.Groups[1].Value : "?"));

        // stdout and stderr are separate pipes, so their order in the log is not fixed: tail one stream.
        await Docker.RunOkAsync("run", "--name", "tailed", "busybox", "sh", "-c", "echo a; echo b; echo c; printf partial");
        Assert.Equal("c\npartial", await Docker.RunOkAsync("logs", "--tail", "2", "tailed"));
        Assert.Equal("a\nb\nc\npartial", await Docker.RunOkAsync("logs", "--tail", "all", "tailed"));
        Assert.Equal("", await Docker.RunOkAsync("logs", "--tail", "0", "tailed"));
    }

    [Fact]
    public async Task Logs_SinceAndUntil_ByTimestamp()
    {
        await Docker.RunOkAsync("run", "--name", "times", "busybox", "sh", "-c", "echo a; sleep 1.2; echo b");
        string[] lines = (await Docker.RunOkAsync("logs", "-t", "times")).Trim().Split('\n');
        string tb = lines[1].Split(' ')[0];
        string ta = lines[0].Split(' ')[0];
        Assert.Equal("b\n", await Docker.RunOkAsync("logs", "--since", tb, "times"));
        Assert.Equal("a\n", await Docker.RunOkAsync("logs", "--until", ta, "times"));
        Assert.Equal("a\nb\n", await Docker.RunOkAsync("logs", "--since", ta, "--until", tb, "times"));
    }

    [Fact]
    public async Task Follow_StreamsLiveOutput_AndEndsWhenTheContainerExits()
    {
        // The container waits for a line on stdin, so the follower is provably connected while it runs.
        await Docker.RunOkAsync("run", "-d", "-i", "--name", "ticker", "busybox", "sh", "-c", "echo first; read x; echo second:$x; printf end");
        using var http = UnixSockets.HttpClient(Daemon.SocketPath, TimeSpan.FromSeconds(60));
        using var response = await http.GetAsync("/v1.44/containers/ticker/logs?follow=1&stdout=1&stderr=1", HttpCompletionOption.ResponseHeadersRead);
        await using Stream body = await response.Content.ReadAsStreamAsync();
        var frames = new StdcopyReader(body);
        Assert.Equal("first\n", await frames.ReadTextAsync("first\n".Length));
        Assert.Equal("running", (await Docker.RunOkAsync("inspect", "-f", "{{.State.Status}}", "ticker")).Trim());
        await Docker.RunWithInputAsync("go\n", "attach", "ticker");
        Assert.Equal("second:go\nend", await frames.ReadToEndAsync().WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal("exited", (await Docker.RunOkAsync("inspect", "-f", "{{.State.Status}}", "ticker")).Trim());
        // Not running: -f returns at once with the whole log.
        Assert.Equal("first\nsecond:go\nend", await Docker.RunOkAsync("logs", "-f", "ticker"));
    }

    [Fact]
    public async Task Logs_KeepEveryRun_OfARestartedContainer()
    {
        await Docker.RunOkAsync("run", "--name", "rerun", "busybox", "echo", "run");
        Assert.Equal("run\n", await Docker.RunOkAsync("start", "-a", "rerun"));
        Assert.Equal("run\nrun\n", await Docker.RunOkAsync("logs", "rerun"));
    }

    [Fact]
    public async Task TtyLogs_AreRaw()
    {
        await Docker.RunOkAsync("run", "-t", "--name", "ttylog", "busybox", "echo", "hi");
        Assert.Equal("hi\r\n", await Docker.RunOkAsync("logs", "ttylog"));
    }

    [Fact]
    public async Task NoneDriver_AttachWorks_LogsAre501()
    {
        Assert.Equal("hi\n", await Docker.RunOkAsync("run", "--log-driver", "none", "--name", "quiet", "busybox", "echo", "hi"));
        var logs = await Docker.RunAsync("logs", "quiet");
        Assert.NotEqual(0, logs.ExitCode);
        Assert.Contains("configured logging driver does not support reading", logs.Stderr, StringComparison.Ordinal);
        Assert.Equal("{\"Type\":\"none\",\"Config\":{}} []", (await Docker.RunOkAsync("inspect", "-f", "{{json .HostConfig.LogConfig}} [{{.LogPath}}]", "quiet")).Trim());
        using var http = Daemon.Http();
        var raw = await http.GetAsync("/v1.44/containers/quiet/logs?stdout=1");
        Assert.Equal(501, raw.StatusCode);
    }

    [Fact]
    public async Task Inspect_DefaultLogConfig_IsJsonFile()
    {
        await Docker.RunOkAsync("create", "--name", "plain", "busybox", "true");
        Assert.Equal("{\"Type\":\"json-file\",\"Config\":{}}", (await Docker.RunOkAsync("inspect", "-f", "{{json .HostConfig.LogConfig}}", "plain")).Trim());
    }

    [Fact]
    public async Task Api_Errors_AsDockerd()
    {
        await Docker.RunOkAsync("create", "--name", "target", "busybox", "true");
        using var http = Daemon.Http();
        var noStream = await http.GetAsync("/v1.44/containers/target/logs");
        Assert.Equal(400, noStream.StatusCode);
        Assert.Equal("Bad parameters: you must choose at least one stream", noStream.Message);
        var badSince = await http.GetAsync("/v1.44/containers/target/logs?stdout=1&since=abc");
        Assert.Equal(500, badSince.StatusCode);
        Assert.Equal("strconv.ParseInt: parsing \"abc\": invalid syntax", badSince.Message);
        Assert.Equal(404, (await http.GetAsync("/v1.44/containers/nope/logs?stdout=1")).StatusCode);
        var ok = await http.GetAsync("/v1.44/containers/target/logs?stdout=1&tail=all");
        Assert.Equal(200, ok.StatusCode);
        Assert.Equal("application/vnd.docker.multiplexed-stream", ok.Header("Content-Type"));
        Assert.Equal("application/vnd.docker.raw-stream", (await http.GetAsync("/v1.41/containers/target/logs?stdout=1")).Header("Content-Type"));
    }

    [Fact]
    public async Task LogOptions_AreCheckedAtCreate_AndTheirValuesAtStart()
    {
        var unknown = await Docker.RunAsync("run", "--log-opt", "foo=bar", "busybox", "true");
        Assert.Contains("unknown log opt 'foo' for json-file log driver", unknown.Stderr, StringComparison.Ordinal);
        var driver = await Docker.RunAsync("run", "--log-driver", "foo", "busybox", "true");
        Assert.Contains("error looking up logging plugin foo: plugin \"foo\" not found", driver.Stderr, StringComparison.Ordinal);
        var size = await Docker.RunAsync("run", "--name", "badsize", "--log-opt", "max-size=abc", "busybox", "true");
        Assert.Contains("failed to initialize logging driver: invalid size: 'abc'", size.Stderr, StringComparison.Ordinal);
        Assert.Equal("created", (await Docker.RunOkAsync("inspect", "-f", "{{.State.Status}}", "badsize")).Trim());
    }

    [Fact]
    public async Task Details_ShowTheLabelsAndEnvTheOptionsName()
    {
        await Docker.RunOkAsync("run", "--name", "detailed", "--label", "app=web", "-e", "REGION=eu", "--log-opt", "labels=app", "--log-opt", "env=REGION",
            "busybox", "echo", "hi");
        Assert.Equal("REGION=eu,app=web hi\n", await Docker.RunOkAsync("logs", "--details", "detailed"));
    }

    [Fact]
    public async Task Rotation_KeepsMaxFiles_AndLogsReadAcrossThem()
    {
        // 300 lines (≈ 14 KB of k8s records) through 1 KB files, 3 kept. The daemon rotates on
        // change events, so the lines come at a pace it can follow on a loaded machine (a burst
        // overshoots max-size: see docs/compatibility.md).
        await Docker.RunOkAsync("run", "--name", "rotating", "--log-opt", "max-size=1k", "--log-opt", "max-file=3", "busybox", "sh", "-c",
            "i=0; while [ $i -lt 300 ]; do echo line-$i; i=$((i+1)); sleep 0.01; done");
        string dir = Path.GetDirectoryName((await Docker.RunOkAsync("inspect", "-f", "{{.LogPath}}", "rotating")).Trim())!;
        string[] logs = [.. Directory.GetFiles(dir, "*-json.log*").Select(Path.GetFileName)!];
        Assert.InRange(logs.Length, 2, 3);
        Assert.DoesNotContain(logs, l => l!.EndsWith(".3", StringComparison.Ordinal));
        string[] lines = (await Docker.RunOkAsync("logs", "rotating")).TrimEnd('\n').Split('\n');
        // What is left is the end of the output, in order, without gaps.
        Assert.Equal("line-299", lines[^1]);
        Assert.True(lines.Length < 300, $"{lines.Length} lines kept");
        int first = int.Parse(lines[0]["line-".Length..], CultureInfo.InvariantCulture);
        Assert.Equal(Enumerable.Range(first, 300 - first).Select(i => $"line-{i}"), lines);
        Assert.Equal("line-298\nline-299\n", await Docker.RunOkAsync("logs", "--tail", "2", "rotating"));
    }

    [Fact]
    public async Task Rotation_Compressed_LogsReadTheGzipFiles()
    {
        await Docker.RunOkAsync("run", "--name", "gz", "--log-opt", "max-size=2k", "--log-opt", "max-file=4", "--log-opt", "compress=true",
            "busybox", "sh", "-c", "i=0; while [ $i -lt 200 ]; do echo gz-$i; i=$((i+1)); sleep 0.01; done");
        string dir = Path.GetDirectoryName((await Docker.RunOkAsync("inspect", "-f", "{{.LogPath}}", "gz")).Trim())!;
        await Poll.UntilAsync(() => Directory.GetFiles(dir, "*.gz").Length > 0 && Directory.GetFiles(dir, "*-json.log.1").Length == 0,
            TimeSpan.FromSeconds(20), "rotated files compressed");
        string[] lines = (await Docker.RunOkAsync("logs", "gz")).TrimEnd('\n').Split('\n');
        Assert.Equal("gz-199", lines[^1]);
        int first = int.Parse(lines[0]["gz-".Length..], CultureInfo.InvariantCulture);
        Assert.Equal(Enumerable.Range(first, 200 - first).Select(i => $"gz-{i}"), lines);
    }
}
