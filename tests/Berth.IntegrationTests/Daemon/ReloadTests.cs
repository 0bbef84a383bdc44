using System.Globalization;
using Berth.IntegrationTests.Harness;

namespace Berth.IntegrationTests.Daemon;

/// <summary>SIGHUP reloads labels from daemon.json and records a daemon "reload" event.</summary>
public sealed class ReloadTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Sighup_ReloadsLabels_AndEmitsDaemonReloadEvent()
    {
        await using var daemon = await BerthDaemon.StartNewAsync(output, new BerthDaemonOptions { DaemonJson = """{"labels": ["berth.reload=before"]}""" });
        using var docker = daemon.Cli(output);
        var info = await daemon.InfoAsync();
        string id = info.GetProperty("ID").GetString()!;
        Assert.Equal(["berth.reload=before"], info.GetProperty("Labels").EnumerateArray().Select(l => l.GetString()!).ToArray());
        string since = (DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 2).ToString(CultureInfo.InvariantCulture);

        daemon.WriteDaemonJson("""{"labels": ["berth.reload=after", "second=label"]}""");
        daemon.Signal(Native.SIGHUP);

        await Poll.ForAsync(
            async () => (await daemon.InfoAsync()).GetProperty("Labels").EnumerateArray().Select(l => l.GetString()!).ToArray(),
            labels => labels.SequenceEqual(["berth.reload=after", "second=label"]),
            TimeSpan.FromSeconds(15),
            "the reloaded labels in /info",
            labels => string.Join(",", labels ?? []) + "\n" + daemon.Logs);
        var events = await Poll.ForAsync(
            () => docker.RunAsync("events", "--since", since, "--until", "0s", "--filter", "type=daemon"),
            r => r.ExitCode == 0 && r.Stdout.Contains("daemon reload", StringComparison.Ordinal),
            TimeSpan.FromSeconds(15),
            "a daemon reload event from docker events",
            r => r?.ToString() ?? "");

        Assert.Contains("daemon reload " + id, events.Stdout, StringComparison.Ordinal);

        var system = await docker.RunAsync("system", "events", "--since", "1m", "--until", "0s", "--format", "{{.Type}} {{.Action}} {{.Actor.ID}}");
        Assert.True(system.ExitCode == 0, system.ToString());
        Assert.Contains("daemon reload " + id, system.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sighup_WithBrokenFile_KeepsRunningAndOldLabels()
    {
        await using var daemon = await BerthDaemon.StartNewAsync(output, new BerthDaemonOptions { DaemonJson = """{"labels": ["keep=me"]}""" });

        daemon.WriteDaemonJson("""{"labels": [""");
        daemon.Signal(Native.SIGHUP);
        await Poll.UntilAsync(() => daemon.Stderr.Contains("level=error", StringComparison.Ordinal), TimeSpan.FromSeconds(15), "the reload error in the log", () => daemon.Logs);

        Assert.True(daemon.IsRunning, daemon.Logs);
        var info = await daemon.InfoAsync();
        Assert.Equal(["keep=me"], info.GetProperty("Labels").EnumerateArray().Select(l => l.GetString()!).ToArray());
    }
}
