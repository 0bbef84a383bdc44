using System.Diagnostics;
using Berth.IntegrationTests.Harness;

namespace Berth.IntegrationTests.Containers;

/// <summary>Restart policies with the real CLI: validation, back-off restarts, user stop/kill/rm prevail.</summary>
public sealed class RestartPolicyTests : CliTestBase<BerthDaemon>, IClassFixture<BerthDaemon>, IAsyncLifetime
{
    public RestartPolicyTests(BerthDaemon daemon, ITestOutputHelper output) : base(daemon, output)
    {
    }

    public Task InitializeAsync() => ContainerTestSupport.EnsureBusyboxAsync(Docker);

    public Task DisposeAsync() => ContainerTestSupport.RemoveAllAndCheckCleanAsync(Daemon, Docker);

    [Fact]
    public async Task InvalidPolicies_AreRefusedAtCreate_WithDockerdsMessages()
    {
        var maxWithAlways = await Docker.RunAsync("create", "--restart", "always:3", "busybox", "true");
        Assert.NotEqual(0, maxWithAlways.ExitCode);
        Assert.Contains("invalid restart policy: maximum retry count can only be used with 'on-failure'", maxWithAlways.Stderr, StringComparison.Ordinal);
        var unknown = await Docker.RunAsync("create", "--restart", "sometimes", "busybox", "true");
        Assert.Contains("invalid restart policy: unknown policy 'sometimes'; use one of 'no', 'always', 'on-failure', or 'unless-stopped'", unknown.Stderr, StringComparison.Ordinal);
        var negative = await Docker.RunAsync("create", "--restart", "on-failure:-1", "busybox", "true");
        Assert.Contains("invalid restart policy: maximum retry count cannot be negative", negative.Stderr, StringComparison.Ordinal);
        // The CLI refuses --rm with --restart itself; the API answers dockerd's 400.
        using var http = Daemon.Http();
        var response = await http.PostJsonAsync("/containers/create",
            """{"Image":"busybox","Cmd":["true"],"HostConfig":{"AutoRemove":true,"RestartPolicy":{"Name":"always"}}}""");
        Assert.Equal(400, response.StatusCode);
        Assert.Contains("can't create 'AutoRemove' container with restart policy", response.Body, StringComparison.Ordinal);
        Assert.Empty((await Docker.RunOkAsync("ps", "-aq")).Trim());
    }

    [Fact]
    public async Task OnFailure_RestartsUpToItsMaximum_CountingInInspect_WithDieThenStartEvents()
    {
        string since = LifecycleTestSupport.UnixNow();
        await Docker.RunOkAsync("run", "-d", "--name", "flaky", "--restart", "on-failure:2", "busybox", "sh", "-c", "exit 3");
        // 100 ms, then 200 ms of back-off.
        await Poll.ForAsync(() => LifecycleTestSupport.StateAsync(Docker, "flaky"), s => s == "exited 3 2", TimeSpan.FromSeconds(20), "two restarts, then exited", s => s ?? "");
        Assert.Equal("on-failure 2", (await Docker.RunOkAsync("inspect", "-f", "{{.HostConfig.RestartPolicy.Name}} {{.HostConfig.RestartPolicy.MaximumRetryCount}}", "flaky")).Trim());
        var actions = await LifecycleTestSupport.EventActionsAsync(Docker, since, LifecycleTestSupport.UnixNow(TimeSpan.FromSeconds(1)), "flaky");
        Assert.Equal(["create", "start", "die", "start", "die", "start", "die"], actions);

        // A successful exit is not a failure: no restart.
        await Docker.RunOkAsync("run", "-d", "--name", "fine", "--restart", "on-failure", "busybox", "true");
        await Poll.ForAsync(() => LifecycleTestSupport.StateAsync(Docker, "fine"), s => s == "exited 0 0", TimeSpan.FromSeconds(10), "exited once", s => s ?? "");
    }

    [Fact]
    public async Task Always_RestartsAfterACrash_UserStopPrevails_AndUserStartResetsTheCount()
    {
        await Docker.RunOkAsync("run", "-d", "--name", "phoenix", "--restart", "always", "busybox", "sleep", "300");
        int pid = await LifecycleTestSupport.PidOfAsync(Docker, "phoenix");
        Native.Kill(pid, Native.SIGKILL); // a crash, not a user kill
        await Poll.ForAsync(() => LifecycleTestSupport.StateAsync(Docker, "phoenix"), s => s == "running 0 1", TimeSpan.FromSeconds(10), "restarted once", s => s ?? "");
        Assert.NotEqual(pid, await LifecycleTestSupport.PidOfAsync(Docker, "phoenix"));

        var watch = Stopwatch.StartNew();
        await Docker.RunOkAsync("stop", "-t", "1", "phoenix");
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), $"stop took {watch.Elapsed}");
        string since = LifecycleTestSupport.UnixNow();
        Assert.Equal("exited 137 1", await LifecycleTestSupport.StateAsync(Docker, "phoenix"));
        Assert.Empty(await LifecycleTestSupport.EventActionsAsync(Docker, since, LifecycleTestSupport.UnixNow(TimeSpan.FromSeconds(1.5)), "phoenix"));

        await Docker.RunOkAsync("start", "phoenix");
        Assert.Equal("running 0 0", await LifecycleTestSupport.StateAsync(Docker, "phoenix"));
        await Docker.RunOkAsync("kill", "phoenix"); // a user kill prevails as well
        since = LifecycleTestSupport.UnixNow();
        Assert.Equal("exited 137 0", await LifecycleTestSupport.StateAsync(Docker, "phoenix"));
        Assert.Empty(await LifecycleTestSupport.EventActionsAsync(Docker, since, LifecycleTestSupport.UnixNow(TimeSpan.FromSeconds(1.5)), "phoenix"));
    }

    [Fact]
    public async Task DuringTheBackoff_StopAndRemoveCancelTheRestart()
    {
        // Exits at once: after a few rounds the back-off (≥ 400 ms) is most of its life.
        await Docker.RunOkAsync("run", "-d", "--name", "looper", "--restart", "always", "busybox", "true");
        await Docker.RunOkAsync("run", "-d", "--name", "looper2", "--restart", "unless-stopped", "busybox", "false");
        foreach (string name in new[] { "looper", "looper2" })
        {
            await Poll.ForAsync(() => Docker.RunOkAsync("inspect", "-f", "{{.State.Status}}", name), s => s.Trim() == "restarting", TimeSpan.FromSeconds(20), name + " restarting", s => s ?? "");
        }
        // Between two back-offs it runs for a moment, so ps is polled for the restarting state.
        await Poll.ForAsync(() => Docker.RunOkAsync("ps", "--filter", "name=looper", "--format", "{{.Names}} {{.Status}}"),
            s => s.Contains("looper Restarting (0)", StringComparison.Ordinal), TimeSpan.FromSeconds(20), "ps shows looper Restarting (0)", s => s ?? "");

        var watch = Stopwatch.StartNew();
        await Docker.RunOkAsync("stop", "looper2");
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"stop of a restarting container took {watch.Elapsed}");
        string stopped = await LifecycleTestSupport.StateAsync(Docker, "looper2");
        Assert.StartsWith("exited 1 ", stopped, StringComparison.Ordinal);

        watch.Restart();
        await Docker.RunOkAsync("rm", "-f", "looper");
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"rm -f of a restarting container took {watch.Elapsed}");
        string since = LifecycleTestSupport.UnixNow();
        Assert.False((await Docker.RunAsync("inspect", "looper")).Succeeded);
        // Neither comes back.
        Assert.Empty(await LifecycleTestSupport.EventActionsAsync(Docker, since, LifecycleTestSupport.UnixNow(TimeSpan.FromSeconds(1.5)), "looper2"));
        Assert.Equal(stopped, await LifecycleTestSupport.StateAsync(Docker, "looper2"));
    }
}

/// <summary>Policies applied when the daemon starts: always and unless-stopped come back, unless the user stopped the latter.</summary>
public sealed class RestartPolicyDaemonStartTests(ITestOutputHelper output)
{
    [Fact]
    public async Task DaemonStart_StartsAlwaysAndUnlessStopped_ButNotWhatTheUserStopped()
    {
        await using var daemon = await BerthDaemon.StartNewAsync(output);
        using var docker = daemon.Cli(output);
        try
        {
            await ContainerTestSupport.EnsureBusyboxAsync(docker);
            await docker.RunOkAsync("run", "-d", "--name", "always-stopped", "--restart", "always", "busybox", "sleep", "300");
            await docker.RunOkAsync("run", "-d", "--name", "unless-stopped-stopped", "--restart", "unless-stopped", "busybox", "sleep", "300");
            await docker.RunOkAsync("run", "-d", "--name", "unless-stopped-running", "--restart", "unless-stopped", "busybox", "sleep", "300");
            await docker.RunOkAsync("run", "-d", "--name", "no-policy", "busybox", "sleep", "300");
            await docker.RunOkAsync("create", "--name", "never-started", "--restart", "always", "busybox", "sleep", "300");
            await docker.RunOkAsync("stop", "-t", "0", "always-stopped", "unless-stopped-stopped");

            Assert.Equal(0, await daemon.StopAsync(TimeSpan.FromSeconds(40)));
            await daemon.StartAsync();

            await Poll.ForAsync(() => LifecycleTestSupport.StateAsync(docker, "always-stopped"), s => s.StartsWith("running", StringComparison.Ordinal), TimeSpan.FromSeconds(20), "always restarted", s => s ?? "");
            await Poll.ForAsync(() => LifecycleTestSupport.StateAsync(docker, "unless-stopped-running"), s => s.StartsWith("running", StringComparison.Ordinal), TimeSpan.FromSeconds(20), "unless-stopped restarted", s => s ?? "");
            Assert.StartsWith("exited", await LifecycleTestSupport.StateAsync(docker, "unless-stopped-stopped"), StringComparison.Ordinal);
            Assert.StartsWith("exited", await LifecycleTestSupport.StateAsync(docker, "no-policy"), StringComparison.Ordinal);
            Assert.StartsWith("created", await LifecycleTestSupport.StateAsync(docker, "never-started"), StringComparison.Ordinal);
        }
        finally
        {
            await LifecycleTestSupport.CleanUpAsync(daemon, docker);
        }
    }
}
