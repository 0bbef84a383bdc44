using Berth.IntegrationTests.Harness;

namespace Berth.IntegrationTests.Containers;

/// <summary>kill -9 of berthd while a container runs: the container survives, a new daemon finds it again.</summary>
public sealed class ContainerRestoreTests
{
    private readonly ITestOutputHelper _output;

    public ContainerRestoreTests(ITestOutputHelper output)
    {
        _output = output;
    }

    [Fact]
    public async Task KillNine_RestartFindsTheContainer_StopRecordsItsExitCode()
    {
        await using var daemon = await BerthDaemon.StartNewAsync(_output);
        using var docker = daemon.Cli(_output);
        try
        {
            await ContainerTestSupport.EnsureBusyboxAsync(docker);
            await docker.RunOkAsync("run", "-d", "--name", "survivor", "busybox", "sh", "-c", "trap 'exit 3' TERM; while true; do sleep 0.1; done");
            daemon.KillHard();
            await daemon.WaitForExitAsync(TimeSpan.FromSeconds(10));
            await daemon.RestartAsync();

            Assert.Equal("survivor running", (await docker.RunOkAsync("ps", "--format", "{{.Names}} {{.State}}")).Trim());
            await docker.RunOkAsync("stop", "survivor");
            Assert.Equal("3", (await docker.RunOkAsync("inspect", "-f", "{{.State.ExitCode}}", "survivor")).Trim());

            // An exit that happens while no daemon runs is not lost either.
            await docker.RunOkAsync("run", "-d", "--name", "quick", "busybox", "sh", "-c", "sleep 1; exit 5");
            daemon.KillHard();
            await daemon.WaitForExitAsync(TimeSpan.FromSeconds(10));
            await Task.Delay(TimeSpan.FromSeconds(2)); // the container exits while nobody watches
            await daemon.RestartAsync();
            Assert.Equal("exited 5", (await docker.RunOkAsync("inspect", "-f", "{{.State.Status}} {{.State.ExitCode}}", "quick")).Trim());
        }
        finally
        {
            await ContainerTestSupport.RemoveAllAndCheckCleanAsync(daemon, docker);
        }
    }

    [Fact]
    public async Task CleanShutdown_StopsRunningContainers()
    {
        await using var daemon = await BerthDaemon.StartNewAsync(_output);
        using var docker = daemon.Cli(_output);
        try
        {
            await ContainerTestSupport.EnsureBusyboxAsync(docker);
            await docker.RunOkAsync("run", "-d", "--name", "stopped-by-shutdown", "busybox", "sh", "-c", "trap 'exit 4' TERM; while true; do sleep 0.1; done");
            Assert.Equal(0, await daemon.StopAsync(TimeSpan.FromSeconds(30)));
            await ContainerTestSupport.AssertNoLeftoversAsync(daemon);
            await daemon.StartAsync();
            Assert.Equal("exited 4", (await docker.RunOkAsync("inspect", "-f", "{{.State.Status}} {{.State.ExitCode}}", "stopped-by-shutdown")).Trim());
        }
        finally
        {
            await ContainerTestSupport.RemoveAllAndCheckCleanAsync(daemon, docker);
        }
    }

    /// <summary>dockerd's restore removes --rm containers that are not running: here one created and never started.</summary>
    [Fact]
    public async Task Restart_RemovesAutoRemoveContainersThatAreNotRunning()
    {
        await using var daemon = await BerthDaemon.StartNewAsync(_output);
        using var docker = daemon.Cli(_output);
        try
        {
            await ContainerTestSupport.EnsureBusyboxAsync(docker);
            await docker.RunOkAsync("create", "--rm", "--name", "rm-created", "busybox", "true");
            await docker.RunOkAsync("create", "--name", "kept-created", "busybox", "true");
            daemon.KillHard();
            await daemon.WaitForExitAsync(TimeSpan.FromSeconds(10));
            await daemon.RestartAsync();
            Assert.Equal("kept-created", (await docker.RunOkAsync("ps", "-a", "--format", "{{.Names}}")).Trim());
        }
        finally
        {
            await ContainerTestSupport.RemoveAllAndCheckCleanAsync(daemon, docker);
        }
    }
}
