using Berth.IntegrationTests.Harness;

namespace Berth.IntegrationTests.Containers;

/// <summary>Logs and their rotation across a berthd kill -9 and restart; daemon-wide log options.</summary>
public sealed class ContainerLogsRestartTests
{
    private readonly ITestOutputHelper _output;

    public ContainerLogsRestartTests(ITestOutputHelper output)
    {
        _output = output;
    }

    [Fact]
    public async Task LogsAndFollow_SurviveADaemonKill()
    {
        await using var daemon = await BerthDaemon.StartNewAsync(_output);
        using var docker = daemon.Cli(_output);
        try
        {
            await ContainerTestSupport.EnsureBusyboxAsync(docker);
            await docker.RunOkAsync("run", "-d", "-i", "--name", "steady", "busybox", "sh", "-c", "echo before; read x; echo after:$x");
            await Poll.UntilAsync(async () => (await docker.RunOkAsync("logs", "steady")) == "before\n", TimeSpan.FromSeconds(20), "first line logged");
            daemon.KillHard();
            await daemon.WaitForExitAsync(TimeSpan.FromSeconds(10));
            await daemon.RestartAsync();

            Task<ProcessResult> follow = docker.RunAsync("logs", "-f", "steady");
            await docker.RunWithInputAsync("restart\n", "attach", "steady");
            ProcessResult done = await follow.WaitAsync(TimeSpan.FromSeconds(30));
            Assert.Equal("before\nafter:restart\n", done.Stdout);
            Assert.Equal("before\nafter:restart\n", await docker.RunOkAsync("logs", "steady"));
        }
        finally
        {
            await ContainerTestSupport.RemoveAllAndCheckCleanAsync(daemon, docker);
        }
    }

    [Fact]
    public async Task DaemonLogOpts_ApplyToNewContainers_AndRotationResumesAfterRestart()
    {
        await using var daemon = await BerthDaemon.StartNewAsync(_output, new BerthDaemonOptions
        {
            DaemonJson = """{"log-opts": {"max-size": "2k", "max-file": "2"}}""",
        });
        using var docker = daemon.Cli(_output);
        try
        {
            await ContainerTestSupport.EnsureBusyboxAsync(docker);
            await docker.RunOkAsync("run", "-d", "-i", "--name", "chatty", "busybox", "sh", "-c",
                "read x; i=0; while [ $i -lt 200 ]; do echo chatty-$i; i=$((i+1)); sleep 0.01; done; read y");
            Assert.Equal("{\"Type\":\"json-file\",\"Config\":{\"max-file\":\"2\",\"max-size\":\"2k\"}}",
                (await docker.RunOkAsync("inspect", "-f", "{{json .HostConfig.LogConfig}}", "chatty")).Trim());
            daemon.KillHard();
            await daemon.WaitForExitAsync(TimeSpan.FromSeconds(10));
            await daemon.RestartAsync();
            await docker.RunWithInputAsync("go\n", "attach", "chatty");
            string dir = Path.GetDirectoryName((await docker.RunOkAsync("inspect", "-f", "{{.LogPath}}", "chatty")).Trim())!;
            await Poll.UntilAsync(async () => (await docker.RunOkAsync("logs", "--tail", "1", "chatty")) == "chatty-199\n",
                TimeSpan.FromSeconds(30), "all lines written");
            Assert.True(File.Exists(Directory.GetFiles(dir, "*-json.log")[0] + ".1"), "rotated after the restart");
            Assert.Empty(Directory.GetFiles(dir, "*-json.log.2*"));
            string[] lines = (await docker.RunOkAsync("logs", "chatty")).TrimEnd('\n').Split('\n');
            Assert.True(lines.Length < 200, $"{lines.Length} lines kept");
            Assert.Equal("chatty-199", lines[^1]);
        }
        finally
        {
            await ContainerTestSupport.RemoveAllAndCheckCleanAsync(daemon, docker);
        }
    }
}
