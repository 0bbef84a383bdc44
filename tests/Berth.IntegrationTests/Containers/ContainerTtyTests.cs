using Berth.IntegrationTests.Harness;

namespace Berth.IntegrationTests.Containers;

/// <summary>docker run -it / attach / start -ai on a real pseudo-terminal: typing, exit codes, detach keys, terminal size.</summary>
public sealed class ContainerTtyTests : CliTestBase<BerthDaemon>, IClassFixture<BerthDaemon>, IAsyncLifetime
{
    private const string Prompt = "/ # ";
    private const string DetachSequence = "\u0010\u0011"; // ctrl-p ctrl-q

    public ContainerTtyTests(BerthDaemon daemon, ITestOutputHelper output)
        : base(daemon, output)
    {
        Output = output;
    }

    private ITestOutputHelper Output { get; }

    public Task InitializeAsync() => ContainerTestSupport.EnsureBusyboxAsync(Docker);

    public Task DisposeAsync() => ContainerTestSupport.RemoveAllAndCheckCleanAsync(Daemon, Docker);

    private async Task<PtyResult> PtyAsync(string[] args, PtyStep[] steps, int rows = 33, int columns = 111)
    {
        PtyResult result = await PtyDriver.RunAsync(Docker, args, steps, rows, columns);
        Output.WriteLine($"$ docker {string.Join(' ', args)}\n{result}");
        Assert.Null(result.FailedStep);
        Assert.False(result.TimedOut);
        return result;
    }

    private async Task<string> StateAsync(string name) =>
        (await Docker.RunOkAsync("inspect", "-f", "{{.State.Status}} {{.State.ExitCode}}", name)).Trim();

    [Fact]
    public async Task RunIt_TypedCommands_ConsoleSize_AndExitCode()
    {
        PtyResult r = await PtyAsync(["run", "-it", "--name", "typed", "busybox", "sh"],
        [
            new PtyStep.Expect(Prompt),
            new PtyStep.Send("stty size\r"),
            new PtyStep.Expect("33 111"),
            new PtyStep.Expect(Prompt),
            new PtyStep.Send("echo hello; exit 3\r"),
            new PtyStep.Expect("hello"),
        ]);
        Assert.Equal(3, r.ExitCode);
        Assert.Equal("exited 3", await StateAsync("typed"));
        Assert.Equal("[33,111]", (await Docker.RunOkAsync("inspect", "-f", "{{json .HostConfig.ConsoleSize}}", "typed")).Trim());
    }

    [Fact]
    public async Task DetachKeys_LeaveItRunning_AttachResizeAndExit()
    {
        PtyResult detach = await PtyAsync(["run", "-it", "--name", "detachable", "busybox", "sh"],
        [
            new PtyStep.Expect(Prompt),
            new PtyStep.Send("echo one\r"),
            new PtyStep.Expect("one\r\n"),
            new PtyStep.Send(DetachSequence),
        ]);
        Assert.Equal(0, detach.ExitCode);
        Assert.Equal("running 0", await StateAsync("detachable"));

        PtyResult attach = await PtyAsync(["attach", "detachable"],
        [
            // "t2o" comes only from the container's shell, not from the terminal's echo of the typed
            // line, so the CLI is attached (and watches SIGWINCH) before the resize.
            new PtyStep.Send("echo t$((1+1))o\r"),
            new PtyStep.Expect("t2o\r\n"),
            new PtyStep.Resize(40, 120),
            // The CLI sends the resize on SIGWINCH, concurrently with what is typed next: poll
            // inside the container until the new size arrives (the step's timeout is the deadline).
            new PtyStep.Send("until [ \"$(stty size)\" = \"40 120\" ]; do sleep 0.1; done; echo resized-to-$(stty size | tr ' ' x)\r"),
            new PtyStep.Expect("resized-to-40x120"),
            new PtyStep.Send("exit 5\r"),
        ]);
        Assert.Equal(5, attach.ExitCode);
        Assert.Equal("exited 5", await StateAsync("detachable"));
        string events = await Docker.RunOkAsync("events", "--since", "5m", "--until", DateTimeOffset.UtcNow.AddSeconds(1).ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--filter", "container=detachable", "--format", "{{.Action}}");
        Assert.Contains("resize", events, StringComparison.Ordinal);
        Assert.Contains("attach", events, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CustomDetachKeys_AndStartAi()
    {
        await PtyAsync(["run", "-it", "--detach-keys", "ctrl-a,x", "--name", "custom", "busybox", "sh"],
        [
            new PtyStep.Expect(Prompt),
            new PtyStep.Send("echo still-here\r"),
            new PtyStep.Expect("still-here\r\n"),
            new PtyStep.Send("\u0001x"),
        ]);
        Assert.Equal("running 0", await StateAsync("custom"));
        await Docker.RunOkAsync("stop", "-t", "1", "custom");

        PtyResult again = await PtyAsync(["start", "-ai", "custom"],
        [
            new PtyStep.Expect(Prompt),
            new PtyStep.Send("echo again; exit 4\r"),
            new PtyStep.Expect("again"),
        ]);
        Assert.Equal(4, again.ExitCode);
        Assert.Equal("exited 4", await StateAsync("custom"));
    }

    [Fact]
    public async Task Resize_Api_Errors()
    {
        await Docker.RunOkAsync("create", "-t", "--name", "sized", "busybox", "sh");
        string id = (await Docker.RunOkAsync("inspect", "-f", "{{.Id}}", "sized")).Trim();
        using var http = Daemon.Http();
        var notRunning = await http.SendAsync(HttpMethod.Post, "/v1.44/containers/sized/resize?h=10&w=20");
        Assert.Equal(409, notRunning.StatusCode);
        Assert.Equal($"container {id} is not running", notRunning.Message);
        var bad = await http.SendAsync(HttpMethod.Post, "/v1.44/containers/sized/resize?h=x&w=20");
        Assert.Equal(400, bad.StatusCode);
        Assert.Equal("strconv.Atoi: parsing \"x\": invalid syntax", bad.Message);
        var badKeys = await http.SendAsync(HttpMethod.Post, "/v1.44/containers/sized/attach?stream=1&detachKeys=ctrl-");
        Assert.Equal(400, badKeys.StatusCode);
        Assert.Equal("Invalid detach keys (ctrl-) provided", badKeys.Message);
    }
}
