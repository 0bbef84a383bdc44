using System.Diagnostics;
using Berth.IntegrationTests.Harness;

namespace Berth.IntegrationTests.Daemon;

public sealed class ShutdownTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Sigterm_ExitsZeroQuickly_AndRemovesSocketAndPidfile()
    {
        await using var daemon = await BerthDaemon.StartNewAsync(output);
        Assert.True(File.Exists(daemon.PidFile));
        var watch = Stopwatch.StartNew();

        daemon.Signal(Native.SIGTERM);
        var exit = await daemon.WaitForExitAsync(TimeSpan.FromSeconds(10));

        Assert.True(exit.ExitCode == 0, exit.ToString());
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"shutdown took {watch.Elapsed}\n{exit}");
        Assert.False(File.Exists(daemon.SocketPath), "socket file left behind\n" + exit);
        Assert.False(File.Exists(daemon.PidFile), "pidfile left behind\n" + exit);
    }

    // Also when started with SIGINT ignored (a background job of a non-interactive shell): dockerd
    // stops on SIGINT then too, and .NET alone would keep the signal ignored.
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Sigint_AlsoStopsCleanly(bool startedIgnored)
    {
        await using var daemon = await BerthDaemon.StartNewAsync(output, new BerthDaemonOptions { SigintIgnored = startedIgnored });

        daemon.Signal(Native.SIGINT);
        var exit = await daemon.WaitForExitAsync(TimeSpan.FromSeconds(10));

        Assert.True(exit.ExitCode == 0, exit.ToString());
        Assert.False(File.Exists(daemon.SocketPath), "socket file left behind\n" + exit);
    }
}
