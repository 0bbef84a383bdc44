using System.Text.RegularExpressions;
using Berth.IntegrationTests.Containers;
using Berth.IntegrationTests.Harness;

namespace Berth.IntegrationTests.Resilience;

/// <summary>berthd kill -9 while `docker attach` and `docker logs -f` stream a running container's output.</summary>
public sealed partial class KillDuringStreamTests
{
    private readonly ITestOutputHelper _output;

    public KillDuringStreamTests(ITestOutputHelper output)
    {
        _output = output;
    }

    [Fact]
    public async Task AttachAndFollow_CutByKill_ContainerRunsOn_LogKeepsEverything_StreamsWorkAgain()
    {
        await using var daemon = await BerthDaemon.StartNewAsync(_output);
        using var docker = daemon.Cli(_output);
        try
        {
            await ContainerTestSupport.EnsureBusyboxAsync(docker);
            await docker.RunOkAsync("run", "-d", "--name", "ticker", "--network", "none", "busybox", "sh", "-c",
                "i=0; while [ ! -f /stop ]; do echo tick-$i; i=$((i+1)); sleep 0.05; done; echo bye");
            string before = (await docker.RunOkAsync("inspect", "-f", "{{.State.Pid}} {{.State.StartedAt}}", "ticker")).Trim();
            string logPath = (await docker.RunOkAsync("inspect", "-f", "{{.LogPath}}", "ticker")).Trim();

            int seen;
            using (var attach = new StreamingCli(docker, "attach", "--sig-proxy=false", "ticker"))
            using (var follow = new StreamingCli(docker, "logs", "-f", "ticker"))
            {
                await Poll.UntilAsync(() => LastTick(attach.Stdout) >= 5 && LastTick(follow.Stdout) >= 5, TimeSpan.FromSeconds(30), "both streams flowing",
                    () => $"attach: {attach.Stdout}{attach.Stderr}\nlogs: {follow.Stdout}{follow.Stderr}");
                daemon.KillHard();
                await daemon.WaitForExitAsync(TimeSpan.FromSeconds(10));
                // Both clients see their stream end with the daemon.
                await attach.WaitForExitAsync(TimeSpan.FromSeconds(20));
                await follow.WaitForExitAsync(TimeSpan.FromSeconds(20));
                seen = Math.Max(LastTick(attach.Stdout), LastTick(follow.Stdout));
            }
            // The container goes on writing while no daemon runs: its monitor keeps the log file.
            await Poll.UntilAsync(() => LastTick(File.ReadAllText(logPath)) > seen + 10, TimeSpan.FromSeconds(30), "output written while berthd is down");
            int whileDown = LastTick(File.ReadAllText(logPath));
            await daemon.RestartAsync();

            Assert.Equal("running", (await docker.RunOkAsync("inspect", "-f", "{{.State.Status}}", "ticker")).Trim());
            Assert.Equal(before, (await docker.RunOkAsync("inspect", "-f", "{{.State.Pid}} {{.State.StartedAt}}", "ticker")).Trim());
            AssertContiguous(await docker.RunOkAsync("logs", "ticker"), whileDown);

            // New streams attach to the same running container and see fresh output.
            using (var attach = new StreamingCli(docker, "attach", "--sig-proxy=false", "ticker"))
            using (var follow = new StreamingCli(docker, "logs", "-f", "ticker"))
            {
                int now = LastTick(await docker.RunOkAsync("logs", "ticker"));
                await Poll.UntilAsync(() => LastTick(attach.Stdout) > now && LastTick(follow.Stdout) > now, TimeSpan.FromSeconds(30), "both streams flowing again",
                    () => $"attach: {attach.Stdout}{attach.Stderr}\nlogs: {follow.Stdout}{follow.Stderr}");
                await docker.RunOkAsync("exec", "ticker", "touch", "/stop");
                Assert.Equal(0, await attach.WaitForExitAsync(TimeSpan.FromSeconds(30)));
                Assert.Equal(0, await follow.WaitForExitAsync(TimeSpan.FromSeconds(30)));
                Assert.EndsWith("bye\n", attach.Stdout, StringComparison.Ordinal);
                string all = follow.Stdout;
                Assert.EndsWith("bye\n", all, StringComparison.Ordinal);
                AssertContiguous(all[..^"bye\n".Length], whileDown);
            }
            Assert.Equal("exited 0\n", await docker.RunOkAsync("inspect", "-f", "{{.State.Status}} {{.State.ExitCode}}", "ticker"));
            CrashChecks.AssertNothingHalfDone(daemon);
        }
        finally
        {
            await ContainerTestSupport.RemoveAllAndCheckCleanAsync(daemon, docker);
        }
    }

    private static int LastTick(string text)
    {
        var matches = Tick().Matches(text);
        return matches.Count == 0 ? -1 : int.Parse(matches[^1].Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>tick-0, tick-1, … with no gap and no repeat, at least up to <paramref name="atLeast"/>.</summary>
    private static void AssertContiguous(string logs, int atLeast)
    {
        string[] lines = logs.TrimEnd('\n').Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            Assert.Equal($"tick-{i}", lines[i]);
        }
        Assert.True(lines.Length > atLeast, $"{lines.Length} lines, expected past tick-{atLeast}");
    }

    [GeneratedRegex(@"tick-(\d+)")]
    private static partial Regex Tick();
}
