using Berth.IntegrationTests.Containers;
using Berth.IntegrationTests.Harness;

namespace Berth.IntegrationTests.Resilience;

/// <summary>berthd kill -9 while `docker start` of many containers is in flight.</summary>
public sealed class KillDuringStartTests
{
    private const int Count = 12;

    private readonly ITestOutputHelper _output;

    public KillDuringStartTests(ITestOutputHelper output)
    {
        _output = output;
    }

    [Fact]
    public async Task StartsCutByKill_EndRunningOrNotStarted_NeverHalfway()
    {
        await using var daemon = await BerthDaemon.StartNewAsync(_output);
        using var docker = daemon.Cli(_output);
        try
        {
            await ContainerTestSupport.EnsureBusyboxAsync(docker);
            // Acknowledged before the kill: one container running, one exited.
            await docker.RunOkAsync("run", "-d", "--name", "before-up", "busybox", "sh", "-c", "echo up; exec sleep 1000");
            await docker.RunOkAsync("run", "--name", "before-done", "busybox", "echo", "done");
            string[] names = [.. Enumerable.Range(0, Count).Select(i => $"s{i}")];
            foreach (string name in names)
            {
                await docker.RunOkAsync("create", "--name", name, "--network", name.EndsWith('0') ? "bridge" : "none",
                    "busybox", "sh", "-c", $"echo up-{name}; exec sleep 1000");
            }
            Task<ProcessResult> start = docker.RunAsync(["start", .. names]);
            // Kill as soon as the first container of the batch reports running: the rest are in flight or not sent.
            // ("before-up" is the other running one.)
            await Poll.UntilAsync(async () => (await docker.RunOkAsync("ps", "-q")).Split('\n', StringSplitOptions.RemoveEmptyEntries).Length >= 2,
                TimeSpan.FromSeconds(60), "the first container of the batch running");
            await CrashChecks.KillAndRestartAsync(daemon);
            await start;

            Assert.Equal("running", await StateAsync(docker, "before-up"));
            Assert.Equal("exited 0\n", await docker.RunOkAsync("inspect", "-f", "{{.State.Status}} {{.State.ExitCode}}", "before-done"));
            Assert.Equal("up\n", await docker.RunOkAsync("logs", "before-up"));
            int running = 0;
            foreach (string name in names)
            {
                string state = await StateAsync(docker, name);
                _output.WriteLine($"{name}: {state}");
                if (state == "running")
                {
                    running++;
                    // Really running: its process answers exec and wrote its line.
                    await docker.RunOkAsync("exec", name, "true");
                    await Poll.UntilAsync(async () => (await docker.RunOkAsync("logs", name)) == $"up-{name}\n", TimeSpan.FromSeconds(20), $"{name}'s line");
                }
                else
                {
                    // Never started, or the crash took it down: either way a state dockerd shows, with no pid.
                    Assert.Contains(state, new[] { "created", "exited" });
                    Assert.Equal("0", (await docker.RunOkAsync("inspect", "-f", "{{.State.Pid}}", name)).Trim());
                }
            }
            Assert.True(running >= 1, "the container seen running before the kill");
            string listed = await docker.RunOkAsync("ps", "-a", "--format", "{{.Names}} {{.State}}");
            Assert.Equal(Count + 2, listed.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
            CrashChecks.AssertNothingHalfDone(daemon);

            // Everything starts (again) normally, and stops and removes without leftovers.
            await docker.RunOkAsync(["start", .. names]);
            foreach (string name in names)
            {
                Assert.Equal("running", await StateAsync(docker, name));
                await docker.RunOkAsync("exec", name, "true");
            }
            Assert.Equal("ok\n", await docker.RunOkAsync("run", "--rm", "busybox", "echo", "ok"));
        }
        finally
        {
            await ContainerTestSupport.RemoveAllAndCheckCleanAsync(daemon, docker);
        }
    }

    private static async Task<string> StateAsync(DockerCli docker, string name) =>
        (await docker.RunOkAsync("inspect", "-f", "{{.State.Status}}", name)).Trim();
}
