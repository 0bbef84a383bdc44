using Berth.IntegrationTests.Harness;
using Berth.IntegrationTests.Networking;

namespace Berth.IntegrationTests.Containers;

/// <summary>
/// Daily commands the other suites do not run: `docker restart` and `docker system prune` (a daemon
/// whose pool has room for a user network).
/// </summary>
public sealed class DailyCommandTests : CliTestBase<NetworkDaemon>, IClassFixture<NetworkDaemon>, IAsyncLifetime
{
    public DailyCommandTests(NetworkDaemon daemon, ITestOutputHelper output)
        : base(daemon, output)
    {
    }

    public Task InitializeAsync() => ContainerTestSupport.EnsureBusyboxAsync(Docker);

    public Task DisposeAsync() => ContainerTestSupport.RemoveAllAndCheckCleanAsync(Daemon, Docker);

    [Fact]
    public async Task Restart_StopsAndStartsAgain_WithANewProcess()
    {
        await Docker.RunOkAsync("run", "-d", "--name", "restarted", "busybox", "sh", "-c", "trap 'exit 0' TERM; while true; do sleep 0.1; done");
        string before = (await Docker.RunOkAsync("inspect", "-f", "{{.State.Pid}} {{.State.StartedAt}}", "restarted")).Trim();

        Assert.Equal("restarted\n", await Docker.RunOkAsync("restart", "-t", "5", "restarted"));

        string after = (await Docker.RunOkAsync("inspect", "-f", "{{.State.Pid}} {{.State.StartedAt}}", "restarted")).Trim();
        Assert.NotEqual(before.Split(' ')[0], after.Split(' ')[0]);
        Assert.NotEqual(before.Split(' ')[1], after.Split(' ')[1]);
        // A manual restart is not a policy restart (dockerd keeps RestartCount at 0); the stop's exit code is recorded.
        Assert.Equal("running 0 0", (await Docker.RunOkAsync("inspect", "-f", "{{.State.Status}} {{.RestartCount}} {{.State.ExitCode}}", "restarted")).Trim());

        // A stopped container is simply started.
        await Docker.RunOkAsync("stop", "-t", "5", "restarted");
        await Docker.RunOkAsync("restart", "restarted");
        Assert.Equal("running", (await Docker.RunOkAsync("inspect", "-f", "{{.State.Status}}", "restarted")).Trim());

        var missing = await Docker.RunAsync("restart", "no-such-container");
        Assert.Equal(1, missing.ExitCode);
        Assert.Contains("No such container: no-such-container", missing.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SystemPrune_RemovesStoppedContainersAndUnusedNetworks_KeepsWhatRuns()
    {
        await Docker.RunOkAsync("run", "--name", "prune-stopped", "busybox", "true");
        await Docker.RunOkAsync("run", "-d", "--name", "prune-running", "busybox", "sleep", "300");
        await Docker.RunOkAsync("network", "create", "prune-net");
        string stoppedId = (await Docker.RunOkAsync("inspect", "-f", "{{.Id}}", "prune-stopped")).Trim();

        string output = await Docker.RunOkAsync("system", "prune", "-f");

        Assert.Contains("Deleted Containers:\n" + stoppedId, output, StringComparison.Ordinal);
        Assert.Contains("Deleted Networks:\nprune-net", output, StringComparison.Ordinal);
        Assert.Contains("Total reclaimed space:", output, StringComparison.Ordinal);
        Assert.Equal("prune-running", (await Docker.RunOkAsync("ps", "-a", "--format", "{{.Names}}")).Trim());
        Assert.DoesNotContain("prune-net", await Docker.RunOkAsync("network", "ls", "--format", "{{.Name}}"), StringComparison.Ordinal);
        Assert.Contains("busybox", await Docker.RunOkAsync("images", "--format", "{{.Repository}}"), StringComparison.Ordinal);
        await Docker.RunOkAsync("rm", "-f", "prune-running");
    }
}
