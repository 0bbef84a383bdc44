using System.Diagnostics;
using Berth.IntegrationTests.Harness;

namespace Berth.IntegrationTests.Containers;

/// <summary>
/// berthd restart semantics: --live-restore keeps containers running across a clean shutdown;
/// without it a clean shutdown stops them (in parallel); after kill -9 containers keep running
/// and exits that happened meanwhile are recorded; leftovers of unknown containers are removed.
/// </summary>
public sealed class LiveRestoreTests(ITestOutputHelper output)
{
    private const string TrapTerm = "trap 'exit 3' TERM; touch /tmp/ready; while true; do sleep 0.1; done";

    /// <summary>The container's TERM trap is installed (its rootfs is mounted on the host).</summary>
    private static Task TrapReadyAsync(BerthDaemon daemon, string id) =>
        Poll.UntilAsync(() => File.Exists(Path.Combine(daemon.ExecRoot, "containers", id, "rootfs", "tmp", "ready")), TimeSpan.FromSeconds(10), "trap installed");

    [Fact]
    public async Task LiveRestore_CleanShutdownLeavesContainersRunning_NextStartReattaches()
    {
        await using var daemon = await BerthDaemon.StartNewAsync(output, new BerthDaemonOptions { ExtraArgs = ["--live-restore"] });
        using var docker = daemon.Cli(output);
        try
        {
            await ContainerTestSupport.EnsureBusyboxAsync(docker);
            Assert.Equal("true", (await docker.RunOkAsync("info", "-f", "{{.LiveRestoreEnabled}}")).Trim());
            string kept = (await docker.RunOkAsync("run", "-d", "--name", "kept", "busybox", "sh", "-c", TrapTerm)).Trim();
            await docker.RunOkAsync("run", "-d", "--name", "ends-while-down", "busybox", "sleep", "300");
            await TrapReadyAsync(daemon, kept);
            int pid = await LifecycleTestSupport.PidOfAsync(docker, "kept");
            int endsPid = await LifecycleTestSupport.PidOfAsync(docker, "ends-while-down");

            Assert.Equal(0, await daemon.StopAsync(TimeSpan.FromSeconds(30)));
            Assert.True(LifecycleTestSupport.IsAlive(pid), "the container was stopped by a --live-restore shutdown");
            Native.Kill(endsPid, Native.SIGKILL); // exits while no daemon runs
            await Poll.UntilAsync(() => !LifecycleTestSupport.IsAlive(endsPid), TimeSpan.FromSeconds(10), "container exit");

            await daemon.StartAsync();
            Assert.Equal("running 0 0", await LifecycleTestSupport.StateAsync(docker, "kept"));
            Assert.Equal(pid, await LifecycleTestSupport.PidOfAsync(docker, "kept"));
            Assert.Equal("exited 137 0", await LifecycleTestSupport.StateAsync(docker, "ends-while-down"));

            // wait, stop and their exit code still work on the re-attached container.
            Task<ProcessResult> wait = docker.RunAsync("wait", "kept");
            await docker.RunOkAsync("stop", "kept");
            Assert.Equal("3", (await wait).EnsureSuccess().Stdout.Trim());
            Assert.Equal("exited 3 0", await LifecycleTestSupport.StateAsync(docker, "kept"));
            Assert.False(LifecycleTestSupport.IsAlive(pid));
        }
        finally
        {
            await LifecycleTestSupport.CleanUpAsync(daemon, docker);
        }
    }

    [Fact]
    public async Task WithoutLiveRestore_CleanShutdownStopsContainersInParallel_WithTheirTimeouts()
    {
        await using var daemon = await BerthDaemon.StartNewAsync(output);
        using var docker = daemon.Cli(output);
        try
        {
            await ContainerTestSupport.EnsureBusyboxAsync(docker);
            Assert.Equal("false", (await docker.RunOkAsync("info", "-f", "{{.LiveRestoreEnabled}}")).Trim());
            // PID 1 without a TERM handler ignores TERM: each needs the KILL after its 3 s.
            await docker.RunOkAsync("run", "-d", "--name", "deaf1", "--stop-timeout", "3", "busybox", "sleep", "300");
            await docker.RunOkAsync("run", "-d", "--name", "deaf2", "--stop-timeout", "3", "busybox", "sleep", "300");
            await docker.RunOkAsync("run", "-d", "--name", "deaf3", "--stop-timeout", "3", "busybox", "sleep", "300");
            string polite = (await docker.RunOkAsync("run", "-d", "--name", "polite", "busybox", "sh", "-c", TrapTerm)).Trim();
            await TrapReadyAsync(daemon, polite);

            var watch = Stopwatch.StartNew();
            Assert.Equal(0, await daemon.StopAsync(TimeSpan.FromSeconds(30)));
            // One after the other would take 9 s and more; in parallel about 3 s (slack for a loaded host).
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(8), $"shutdown took {watch.Elapsed}");
            await ContainerTestSupport.AssertNoLeftoversAsync(daemon);

            await daemon.StartAsync();
            Assert.Equal("exited 137 0", await LifecycleTestSupport.StateAsync(docker, "deaf1"));
            Assert.Equal("exited 137 0", await LifecycleTestSupport.StateAsync(docker, "deaf2"));
            Assert.Equal("exited 137 0", await LifecycleTestSupport.StateAsync(docker, "deaf3"));
            Assert.Equal("exited 3 0", await LifecycleTestSupport.StateAsync(docker, "polite"));
        }
        finally
        {
            await LifecycleTestSupport.CleanUpAsync(daemon, docker);
        }
    }

    [Fact]
    public async Task KillNine_ContainerWhoseMonitorDied_IsRecorded255_AndKilled()
    {
        await using var daemon = await BerthDaemon.StartNewAsync(output);
        using var docker = daemon.Cli(output);
        try
        {
            await ContainerTestSupport.EnsureBusyboxAsync(docker);
            string id = (await docker.RunOkAsync("run", "-d", "--name", "unwatched", "busybox", "sleep", "300")).Trim();
            int pid = await LifecycleTestSupport.PidOfAsync(docker, "unwatched");
            daemon.KillHard();
            await daemon.WaitForExitAsync(TimeSpan.FromSeconds(10));
            int conmon = LifecycleTestSupport.ConmonPidOf(daemon, id) ?? throw new InvalidOperationException("no conmon for " + id);
            Native.Kill(conmon, Native.SIGKILL); // nobody watches the container any more
            await Poll.UntilAsync(() => !LifecycleTestSupport.IsAlive(conmon), TimeSpan.FromSeconds(10), "conmon gone");
            Assert.True(LifecycleTestSupport.IsAlive(pid));

            await daemon.RestartAsync();
            Assert.Equal("exited 255 0", await LifecycleTestSupport.StateAsync(docker, "unwatched"));
            await Poll.UntilAsync(() => !LifecycleTestSupport.IsAlive(pid), TimeSpan.FromSeconds(10), "orphaned container killed");
            await ContainerTestSupport.AssertNoLeftoversAsync(daemon);
            await docker.RunOkAsync("start", "unwatched"); // and it can run again
            Assert.StartsWith("running", await LifecycleTestSupport.StateAsync(docker, "unwatched"), StringComparison.Ordinal);
        }
        finally
        {
            await LifecycleTestSupport.CleanUpAsync(daemon, docker);
        }
    }

    [Fact]
    public async Task KillNine_AutoRemoveContainerThatEndedUnseen_IsRemovedAtStartUp()
    {
        // The record of a --rm container still says running (its exit is never written: the
        // removal follows at once), but the container ended while no daemon watched it.
        await using var daemon = await BerthDaemon.StartNewAsync(output);
        using var docker = daemon.Cli(output);
        try
        {
            await ContainerTestSupport.EnsureBusyboxAsync(docker);
            string id = (await docker.RunOkAsync("run", "-d", "--rm", "--name", "gone-rm", "--network", "none", "busybox", "sleep", "300")).Trim();
            int pid = await LifecycleTestSupport.PidOfAsync(docker, "gone-rm");
            daemon.KillHard();
            await daemon.WaitForExitAsync(TimeSpan.FromSeconds(10));
            int conmon = LifecycleTestSupport.ConmonPidOf(daemon, id) ?? throw new InvalidOperationException("no conmon for " + id);
            Native.Kill(conmon, Native.SIGKILL);
            Native.Kill(pid, Native.SIGKILL);
            await Poll.UntilAsync(() => !LifecycleTestSupport.IsAlive(conmon) && !LifecycleTestSupport.IsAlive(pid), TimeSpan.FromSeconds(10), "conmon and container gone");

            await daemon.RestartAsync();
            await Poll.UntilAsync(async () => (await docker.RunOkAsync("ps", "-aq", "--filter", "name=gone-rm")).Trim().Length == 0,
                TimeSpan.FromSeconds(10), "the --rm container removed at start-up");
            await ContainerTestSupport.AssertNoLeftoversAsync(daemon);
            await docker.RunOkAsync("run", "--rm", "--name", "gone-rm", "--network", "none", "busybox", "true"); // the name is free again
        }
        finally
        {
            await LifecycleTestSupport.CleanUpAsync(daemon, docker);
        }
    }

    [Fact]
    public async Task StartUp_RemovesMonitorsMountsAndCgroupsOfContainersItDoesNotKnow()
    {
        // A crash that lost the container store: a second daemon on the first one's exec-root and
        // cgroup parent, with an empty data-root, finds a running container it has no row for.
        await using var first = await BerthDaemon.StartNewAsync(output);
        using var firstDocker = first.Cli(output);
        await ContainerTestSupport.EnsureBusyboxAsync(firstDocker);
        string id = (await firstDocker.RunOkAsync("run", "-d", "busybox", "sleep", "300")).Trim();
        int pid = await LifecycleTestSupport.PidOfAsync(firstDocker, id);
        first.KillHard();
        await first.WaitForExitAsync(TimeSpan.FromSeconds(10));
        Assert.NotNull(LifecycleTestSupport.ConmonPidOf(first, id));

        await using var second = await BerthDaemon.StartNewAsync(output, new BerthDaemonOptions
        {
            OmitFlags = ["--exec-root", "--cgroup-parent"],
            ExtraArgs = ["--exec-root", first.ExecRoot, "--cgroup-parent", first.CgroupParent],
        });
        await Poll.UntilAsync(() => !LifecycleTestSupport.IsAlive(pid), TimeSpan.FromSeconds(10), "orphan container killed");
        Assert.Null(LifecycleTestSupport.ConmonPidOf(first, id));
        await ContainerTestSupport.AssertNoLeftoversAsync(first);
        Assert.False(Directory.Exists(Path.Combine(first.ExecRoot, "containers", id)), "bundle left behind");
        Assert.False(File.Exists(Path.Combine(first.ExecRoot, "exits", id)), "exit file left behind");
        Assert.Contains("removed runtime leftover", second.Logs, StringComparison.Ordinal);
        Assert.DoesNotContain(Directory.EnumerateDirectories("/sys/fs/cgroup"), h => Directory.Exists(h + first.CgroupParent));
    }
}
