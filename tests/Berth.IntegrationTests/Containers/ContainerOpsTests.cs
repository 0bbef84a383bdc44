using System.Text.Json;
using Berth.IntegrationTests.Harness;

namespace Berth.IntegrationTests.Containers;

/// <summary>docker top, pause/unpause, export, container prune and health checks, with the real CLI.</summary>
public sealed class ContainerOpsTests : CliTestBase<BerthDaemon>, IClassFixture<BerthDaemon>, IAsyncLifetime
{
    public ContainerOpsTests(BerthDaemon daemon, ITestOutputHelper output)
        : base(daemon, output)
    {
    }

    public Task InitializeAsync() => ContainerTestSupport.EnsureBusyboxAsync(Docker);

    public Task DisposeAsync() => ContainerTestSupport.RemoveAllAndCheckCleanAsync(Daemon, Docker);

    private async Task<string> RunDetachedAsync(params string[] args) => (await Docker.RunOkAsync(["run", "-d", .. args])).Trim();

    private async Task<JsonElement> InspectAsync(string id) =>
        JsonDocument.Parse(await Docker.RunOkAsync("inspect", id)).RootElement[0].Clone();

    private async Task<string[]> ActionsAsync(string container, string until) =>
        await Poll.ForAsync(
            async () => (await Docker.RunOkAsync("events", "--since", "2m", "--until", "0s", "--filter", "container=" + container, "--format", "{{.Action}}"))
                .Split('\n', StringSplitOptions.RemoveEmptyEntries),
            a => a.Contains(until), TimeSpan.FromSeconds(10), $"event {until} of {container}");

    [Fact]
    public async Task Top_ListsTheContainersProcesses()
    {
        string id = await RunDetachedAsync("--name", "topper", "busybox", "sleep", "1000");
        string[] lines = (await Docker.RunOkAsync("top", "topper")).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["UID", "PID", "PPID", "C", "STIME", "TTY", "TIME", "CMD"], lines[0].Split(' ', StringSplitOptions.RemoveEmptyEntries));
        Assert.Single(lines, l => l.EndsWith("sleep 1000", StringComparison.Ordinal));
        Assert.Equal(2, lines.Length); // only the container's process, not the host's
        string pid = (await InspectAsync(id)).GetProperty("State").GetProperty("Pid").GetInt32().ToString(System.Globalization.CultureInfo.InvariantCulture);
        Assert.Contains(pid, lines[1], StringComparison.Ordinal);

        string aux = await Docker.RunOkAsync("top", "topper", "aux");
        Assert.StartsWith("USER", aux, StringComparison.Ordinal);
        Assert.Contains("%CPU", aux, StringComparison.Ordinal);
        var renamed = await Docker.RunAsync("top", "topper", "-o", "user=PID");
        Assert.Contains("specifying \"user=PID\" is not allowed", renamed.Stderr, StringComparison.Ordinal);
        Assert.Contains("top", await ActionsAsync("topper", "top"));

        await Docker.RunOkAsync("kill", "topper");
        var stopped = await Docker.RunAsync("top", "topper");
        Assert.Contains($"Container {id} is not running", stopped.Stderr, StringComparison.Ordinal);
    }

    private static char ProcessState(int pid)
    {
        string stat = File.ReadAllText($"/proc/{pid}/stat");
        return stat[stat.LastIndexOf(')') + 2];
    }

    [Fact]
    public async Task PauseUnpause_FreezesTheProcesses()
    {
        string id = await RunDetachedAsync("--name", "ticker", "busybox", "sh", "-c", "while true; do echo x >> /tmp/ticks; sleep 0.05; done");
        int pid = (await InspectAsync(id)).GetProperty("State").GetProperty("Pid").GetInt32();
        string ticks = $"/proc/{pid}/root/tmp/ticks";
        await Poll.UntilAsync(() => File.Exists(ticks) && new FileInfo(ticks).Length > 0, TimeSpan.FromSeconds(10), "the ticker ticks");

        await Docker.RunOkAsync("pause", "ticker");
        Assert.Equal("FROZEN", File.ReadAllText($"/sys/fs/cgroup/freezer{Daemon.CgroupParent}/{id}/freezer.state").Trim());
        JsonElement state = (await InspectAsync(id)).GetProperty("State");
        Assert.Equal("paused", state.GetProperty("Status").GetString());
        Assert.True(state.GetProperty("Paused").GetBoolean());
        Assert.True(state.GetProperty("Running").GetBoolean());
        string ps = (await Docker.RunOkAsync("ps", "--filter", "name=ticker", "--format", "{{.Status}}|{{.State}}")).Trim();
        Assert.Matches(@"^Up .* \(Paused\)\|paused$", ps);
        // a frozen task reports as uninterruptible sleep (D) in /proc, whatever it was doing
        Assert.Equal('D', ProcessState(pid));
        long frozenLength = new FileInfo(ticks).Length;
        await Task.Delay(400); // a window in which a running ticker would write ~8 times
        Assert.Equal(frozenLength, new FileInfo(ticks).Length);

        var again = await Docker.RunAsync("pause", "ticker");
        Assert.Contains($"Container {id} is already paused", again.Stderr, StringComparison.Ordinal);

        await Docker.RunOkAsync("unpause", "ticker");
        await Poll.UntilAsync(() => new FileInfo(ticks).Length > frozenLength, TimeSpan.FromSeconds(10), "the ticker ticks again");
        await Poll.UntilAsync(() => ProcessState(pid) != 'D', TimeSpan.FromSeconds(10), "the init is no longer frozen");
        var notPaused = await Docker.RunAsync("unpause", "ticker");
        Assert.Contains($"Container {id} is not paused", notPaused.Stderr, StringComparison.Ordinal);

        // dockerd thaws a paused container it stops, so the signal arrives.
        await Docker.RunOkAsync("pause", "ticker");
        var stop = await Docker.RunAsync("stop", "-t", "1", "ticker");
        Assert.Equal(0, stop.ExitCode);
        Assert.Equal("exited", (await InspectAsync(id)).GetProperty("State").GetProperty("Status").GetString());
        string[] actions = await ActionsAsync("ticker", "stop");
        Assert.Equal(2, actions.Count(a => a == "pause"));
        Assert.Equal(1, actions.Count(a => a == "unpause"));

        var stoppedPause = await Docker.RunAsync("pause", "ticker");
        Assert.Contains($"Container {id} is not running", stoppedPause.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Export_FlattensTheRootfs_RunningAndStopped()
    {
        await Docker.RunOkAsync("run", "--name", "writer", "busybox", "sh", "-c", "echo hi > /marker && rm /bin/yes");
        string stoppedTar = Path.Combine(ScratchDir, "stopped.tar");
        await Docker.RunOkAsync("export", "-o", stoppedTar, "writer");
        string[] stoppedNames = await TarNamesAsync(stoppedTar);
        Assert.Contains("bin/busybox", stoppedNames);
        Assert.Contains("marker", stoppedNames);
        Assert.DoesNotContain("bin/yes", stoppedNames); // the whiteout is applied, not exported
        Assert.DoesNotContain(stoppedNames, n => n.Contains(".wh.", StringComparison.Ordinal));

        await RunDetachedAsync("--name", "live", "busybox", "sleep", "1000");
        string liveTar = Path.Combine(ScratchDir, "live.tar");
        await Docker.RunOkAsync("export", "-o", liveTar, "live");
        Assert.Contains("bin/busybox", await TarNamesAsync(liveTar));
        Assert.Contains("export", await ActionsAsync("live", "export"));

        var missing = await Docker.RunAsync("export", "-o", Path.Combine(ScratchDir, "x.tar"), "nope");
        Assert.Contains("No such container: nope", missing.Stderr, StringComparison.Ordinal);
    }

    private static async Task<string[]> TarNamesAsync(string tar)
    {
        var r = await ProcessRunner.RunAsync("tar", ["tf", tar], timeout: TimeSpan.FromSeconds(30));
        Assert.Equal(0, r.ExitCode);
        return r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }

    [Fact]
    public async Task Prune_RemovesOnlyStoppedMatchingContainers()
    {
        string running = await RunDetachedAsync("--label", "prune=yes", "busybox", "sleep", "1000");
        string exited = (await Docker.RunOkAsync("create", "--label", "prune=yes", "busybox", "true")).Trim();
        await Docker.RunOkAsync("start", "-a", exited);
        string other = (await Docker.RunOkAsync("create", "--label", "prune=no", "busybox", "true")).Trim();

        string output = await Docker.RunOkAsync("container", "prune", "-f", "--filter", "label=prune=yes");
        Assert.Contains(exited, output, StringComparison.Ordinal);
        Assert.DoesNotContain(running, output, StringComparison.Ordinal);
        Assert.DoesNotContain(other, output, StringComparison.Ordinal);
        string left = await Docker.RunOkAsync("ps", "-aq", "--no-trunc");
        Assert.Contains(running, left, StringComparison.Ordinal);
        Assert.Contains(other, left, StringComparison.Ordinal);
        Assert.DoesNotContain(exited, left, StringComparison.Ordinal);

        using RawHttp http = Daemon.Http();
        var until = await http.SendAsync(HttpMethod.Post, "/containers/prune?filters=" + Uri.EscapeDataString("""{"until":["1h"]}"""));
        Assert.Equal(200, until.StatusCode);
        Assert.Equal(JsonValueKind.Null, until.Json().GetProperty("ContainersDeleted").ValueKind); // all are younger than an hour
        var bad = await http.SendAsync(HttpMethod.Post, "/containers/prune?filters=" + Uri.EscapeDataString("""{"status":["exited"]}"""));
        Assert.Equal(400, bad.StatusCode);
    }

    [Fact]
    public async Task HealthCheck_GoesHealthyThenUnhealthy_WithEvents()
    {
        string id = await RunDetachedAsync("--name", "doc", "--health-cmd", "test -f /tmp/ok", "--health-interval", "200ms",
            "--health-retries", "2", "busybox", "sh", "-c", "touch /tmp/ok; sleep 1000");
        await Poll.UntilAsync(async () => (await Docker.RunOkAsync("ps", "--filter", "health=healthy", "--format", "{{.Names}}")).Trim() == "doc",
            TimeSpan.FromSeconds(20), "doc healthy");
        Assert.EndsWith("(healthy)", (await Docker.RunOkAsync("ps", "--format", "{{.Status}}", "--filter", "name=doc")).Trim(), StringComparison.Ordinal);

        int pid = (await InspectAsync(id)).GetProperty("State").GetProperty("Pid").GetInt32();
        File.Delete($"/proc/{pid}/root/tmp/ok");
        await Poll.UntilAsync(async () => (await Docker.RunOkAsync("ps", "--filter", "health=unhealthy", "--format", "{{.Names}}")).Trim() == "doc",
            TimeSpan.FromSeconds(20), "doc unhealthy");
        JsonElement health = (await InspectAsync(id)).GetProperty("State").GetProperty("Health");
        Assert.Equal("unhealthy", health.GetProperty("Status").GetString());
        Assert.True(health.GetProperty("FailingStreak").GetInt32() >= 2);
        JsonElement log = health.GetProperty("Log");
        Assert.InRange(log.GetArrayLength(), 1, 5);
        Assert.Equal(1, log[log.GetArrayLength() - 1].GetProperty("ExitCode").GetInt32());
        JsonElement test = (await InspectAsync(id)).GetProperty("Config").GetProperty("Healthcheck").GetProperty("Test");
        Assert.Equal(["CMD-SHELL", "test -f /tmp/ok"], test.EnumerateArray().Select(e => e.GetString()));

        string[] actions = await ActionsAsync("doc", "health_status: unhealthy");
        Assert.Contains("health_status: healthy", actions);
        Assert.Contains(actions, a => a.StartsWith("exec_create: /bin/sh -c test -f /tmp/ok", StringComparison.Ordinal));
        Assert.Contains("exec_die", actions);
        Assert.Empty((await Docker.RunOkAsync("ps", "--filter", "health=none", "--filter", "name=doc", "-q")).Trim());
        var bogus = await Docker.RunAsync("ps", "--filter", "health=bogus");
        Assert.Contains("unrecognized filter value for health: bogus", bogus.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HealthCheck_FromTheImage_CmdForm_Timeout_AndNoHealthcheck()
    {
        string tar = TestImages.BusyboxRootfsTar(Path.Combine(ScratchDir, "rootfs.tar"));
        await Docker.RunOkAsync("import", "--change", "HEALTHCHECK --interval=200ms CMD [\"true\"]", tar, "healthy:it");
        string fromImage = await RunDetachedAsync("healthy:it", "sleep", "1000");
        await Poll.UntilAsync(async () => (await InspectAsync(fromImage)).GetProperty("State").TryGetProperty("Health", out JsonElement h)
            && h.GetProperty("Status").GetString() == "healthy", TimeSpan.FromSeconds(20), "image health check healthy");

        string none = await RunDetachedAsync("--no-healthcheck", "healthy:it", "sleep", "1000");
        Assert.False((await InspectAsync(none)).GetProperty("State").TryGetProperty("Health", out _));
        Assert.Contains(none[..12], await Docker.RunOkAsync("ps", "--filter", "health=none", "-q"), StringComparison.Ordinal);

        string slow = await RunDetachedAsync("--health-cmd", "sleep 5", "--health-interval", "100ms", "--health-timeout", "300ms",
            "--health-retries", "1", "busybox", "sleep", "1000");
        JsonElement health = await Poll.ForAsync(async () => (await InspectAsync(slow)).GetProperty("State").GetProperty("Health"),
            h => h.GetProperty("Status").GetString() == "unhealthy", TimeSpan.FromSeconds(30), "timed-out probe makes it unhealthy");
        JsonElement last = health.GetProperty("Log")[health.GetProperty("Log").GetArrayLength() - 1];
        Assert.Equal(-1, last.GetProperty("ExitCode").GetInt32());
        Assert.Equal("Health check exceeded timeout (300ms)", last.GetProperty("Output").GetString());
    }

    [Fact]
    public async Task OnFailure3_OnExit1_RestartsExactlyThreeTimes()
    {
        string since = LifecycleTestSupport.UnixNow();
        await Docker.RunOkAsync("run", "-d", "--name", "thrice", "--restart", "on-failure:3", "busybox", "sh", "-c", "exit 1");
        // back-off 100, 200, 400 ms; then the policy's maximum is reached and the container stays exited
        await Poll.ForAsync(() => LifecycleTestSupport.StateAsync(Docker, "thrice"), s => s == "exited 1 3", TimeSpan.FromSeconds(30),
            "three restarts, then exited", s => s ?? "");
        // a fourth restart would have come 800 ms after the last exit: look past that
        var actions = await LifecycleTestSupport.EventActionsAsync(Docker, since, LifecycleTestSupport.UnixNow(TimeSpan.FromSeconds(2)), "thrice");
        Assert.Equal(["create", "start", "die", "start", "die", "start", "die", "start", "die"], actions);
        Assert.Equal("exited 1 3", await LifecycleTestSupport.StateAsync(Docker, "thrice"));
    }
}
