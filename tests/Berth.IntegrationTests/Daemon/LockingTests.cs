using Berth.IntegrationTests.Harness;

namespace Berth.IntegrationTests.Daemon;

/// <summary>One daemon per data-root/exec-root/pidfile; crashes leave nothing that blocks a restart.</summary>
public sealed class LockingTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData("--data-root")]
    [InlineData("--exec-root")]
    [InlineData("--pidfile")]
    public async Task SecondDaemonOnSameRoot_ExitsAlreadyRunning(string flag)
    {
        await using var first = await BerthDaemon.StartNewAsync(output);
        string shared = flag switch
        {
            "--data-root" => first.DataRoot,
            "--exec-root" => first.ExecRoot,
            _ => first.PidFile,
        };
        await using var second = BerthDaemon.Create(new BerthDaemonOptions { OmitFlags = [flag], ExtraArgs = [flag, shared] }, output);

        var exit = await second.RunToExitAsync(TimeSpan.FromSeconds(30));

        Assert.True(exit.ExitCode == 1, exit.ToString());
        Assert.Contains("another berthd is already running with", exit.Stderr, StringComparison.Ordinal);
        Assert.Contains(shared, exit.Stderr, StringComparison.Ordinal);
        Assert.Contains($"(pid {first.Pid})", exit.Stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(second.SocketPath), "the loser must not bind its socket");
        using var http = first.Http();
        Assert.Equal(200, (await http.GetAsync("/_ping")).StatusCode);
        Assert.Equal(first.Pid.ToString(), first.ReadPidFile());
    }

    [Fact]
    public async Task AfterKillHard_RestartOnSameRoots_KeepsDaemonId()
    {
        await using var daemon = await BerthDaemon.StartNewAsync(output);
        string id = (await daemon.InfoAsync()).GetProperty("ID").GetString()!;
        Assert.False(string.IsNullOrEmpty(id));

        daemon.KillHard();
        Assert.True(File.Exists(daemon.SocketPath), "SIGKILL leaves the socket file behind (the stale case this test covers)");
        Assert.True(File.Exists(daemon.PidFile), "SIGKILL leaves the pidfile behind (the stale case this test covers)");

        await daemon.RestartAsync();

        Assert.Equal(id, (await daemon.InfoAsync()).GetProperty("ID").GetString());
        Assert.Equal(daemon.Pid.ToString(), daemon.ReadPidFile());
    }

    [Fact]
    public async Task UnixSocket_HasMode0660()
    {
        await using var daemon = await BerthDaemon.StartNewAsync(output);

        var stat = (await ProcessRunner.RunAsync("stat", ["-c", "%A", daemon.SocketPath])).EnsureSuccess();

        Assert.Equal("srw-rw----", stat.Stdout.Trim());
    }
}
