using Berth.IntegrationTests.Harness;
using Berth.IntegrationTests.Networking;

namespace Berth.IntegrationTests.Containers;

/// <summary>
/// Daily commands the other suites do not run: `docker restart` and `docker system prune` (a daemon
/// whose pool has room for a user network).
/// </summary>
public sealed class DailyCommandTests : IClassFixture<NetworkDaemon>, IAsyncLifetime
{
    private readonly BerthDaemon _daemon;
    private readonly DockerCli _docker;
    private readonly IDisposable _log;

    public DailyCommandTests(NetworkDaemon daemon, ITestOutputHelper output)
    {
        _daemon = daemon;
        _log = daemon.LogTo(output);
        _docker = daemon.Cli(output);
    }

    public Task InitializeAsync() => ContainerTestSupport.EnsureBusyboxAsync(_docker);

    public async Task DisposeAsync()
    {
        try
        {
            await ContainerTestSupport.RemoveAllAndCheckCleanAsync(_daemon, _docker);
        }
        finally
        {
            _docker.Dispose();
            _log.Dispose();
        }
    }

    [Fact]
    public async Task Restart_StopsAndStartsAgain_WithANewProcess()
    {
        await _docker.RunOkAsync("run", "-d", "--name", "restarted", "busybox", "sh", "-c", "trap 'exit 0' TERM; while true; do sleep 0.1; done");
        string before = (await _docker.RunOkAsync("inspect", "-f", "{{.State.Pid}} {{.State.StartedAt}}", "restarted")).Trim();

        Assert.Equal("restarted\n", await _docker.RunOkAsync("restart", "-t", "5", "restarted"));

        string after = (await _docker.RunOkAsync("inspect", "-f", "{{.State.Pid}} {{.State.StartedAt}}", "restarted")).Trim();
        Assert.NotEqual(before.Split(' ')[0], after.Split(' ')[0]);
        Assert.NotEqual(before.Split(' ')[1], after.Split(' ')[1]);
        // A manual restart is not a policy restart (dockerd keeps RestartCount at 0); the stop's exit code is recorded.
        Assert.Equal("running 0 0", (await _docker.RunOkAsync("inspect", "-f", "{{.State.Status}} {{.RestartCount}} {{.State.ExitCode}}", "restarted")).Trim());

        // A stopped container is simply started.
        await _docker.RunOkAsync("stop", "-t", "5", "restarted");
        await _docker.RunOkAsync("restart", "restarted");
        Assert.Equal("running", (await _docker.RunOkAsync("inspect", "-f", "{{.State.Status}}", "restarted")).Trim());

        var missing = await _docker.RunAsync("restart", "no-such-container");
        Assert.Equal(1, missing.ExitCode);
        Assert.Contains("No such container: no-such-container", missing.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SystemPrune_RemovesStoppedContainersAndUnusedNetworks_KeepsWhatRuns()
    {
        await _docker.RunOkAsync("run", "--name", "prune-stopped", "busybox", "true");
        await _docker.RunOkAsync("run", "-d", "--name", "prune-running", "busybox", "sleep", "300");
        await _docker.RunOkAsync("network", "create", "prune-net");
        string stoppedId = (await _docker.RunOkAsync("inspect", "-f", "{{.Id}}", "prune-stopped")).Trim();

        string output = await _docker.RunOkAsync("system", "prune", "-f");

        Assert.Contains("Deleted Containers:\n" + stoppedId, output, StringComparison.Ordinal);
        Assert.Contains("Deleted Networks:\nprune-net", output, StringComparison.Ordinal);
        Assert.Contains("Total reclaimed space:", output, StringComparison.Ordinal);
        Assert.Equal("prune-running", (await _docker.RunOkAsync("ps", "-a", "--format", "{{.Names}}")).Trim());
        Assert.DoesNotContain("prune-net", await _docker.RunOkAsync("network", "ls", "--format", "{{.Name}}"), StringComparison.Ordinal);
        Assert.Contains("busybox", await _docker.RunOkAsync("images", "--format", "{{.Repository}}"), StringComparison.Ordinal);
        await _docker.RunOkAsync("rm", "-f", "prune-running");
    }
}
