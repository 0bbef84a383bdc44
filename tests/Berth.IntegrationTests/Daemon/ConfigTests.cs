using Berth.IntegrationTests.Harness;

namespace Berth.IntegrationTests.Daemon;

/// <summary>daemon.json and flag validation: bad configuration stops the daemon with one line on stderr.</summary>
public sealed class ConfigTests(ITestOutputHelper output)
{
    private static readonly TimeSpan ExitTimeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task UnknownKeyInDaemonJson_Fails()
    {
        await using var daemon = BerthDaemon.Create(new BerthDaemonOptions { DaemonJson = """{"debug": false, "no-such-option": true}""" }, output);

        var exit = await daemon.RunToExitAsync(ExitTimeout);

        AssertConfigFailure(exit);
        Assert.Contains("don't match any configuration option", exit.Stderr, StringComparison.Ordinal);
        Assert.Contains("no-such-option", exit.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MalformedJson_Fails()
    {
        await using var daemon = BerthDaemon.Create(new BerthDaemonOptions { DaemonJson = """{"debug": true,""" }, output);

        var exit = await daemon.RunToExitAsync(ExitTimeout);

        AssertConfigFailure(exit);
        Assert.Contains(daemon.ConfigFile, exit.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task KeyInFileAndFlag_Fails()
    {
        await using var daemon = BerthDaemon.Create(new BerthDaemonOptions { DaemonJson = """{"debug": true}""", ExtraArgs = ["--debug"] }, output);

        var exit = await daemon.RunToExitAsync(ExitTimeout);

        AssertConfigFailure(exit);
        Assert.Contains("specified both as a flag and in the configuration file", exit.Stderr, StringComparison.Ordinal);
        Assert.Contains("debug", exit.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Validate_GoodFile_PrintsConfigurationOk()
    {
        await using var daemon = BerthDaemon.Create(
            new BerthDaemonOptions { DaemonJson = """{"labels": ["a=b"], "log-level": "warn"}""", ExtraArgs = ["--validate"] },
            output);

        var exit = await daemon.RunToExitAsync(ExitTimeout);

        Assert.True(exit.ExitCode == 0, exit.ToString());
        Assert.Contains("configuration OK", exit.Stdout, StringComparison.Ordinal);
        Assert.False(File.Exists(daemon.SocketPath), "--validate must not start listening");
    }

    [Fact]
    public async Task Validate_UnknownKey_Fails()
    {
        await using var daemon = BerthDaemon.Create(
            new BerthDaemonOptions { DaemonJson = """{"no-such-option": 1}""", ExtraArgs = ["--validate"] },
            output);

        var exit = await daemon.RunToExitAsync(ExitTimeout);

        AssertConfigFailure(exit);
        Assert.DoesNotContain("configuration OK", exit.Stdout, StringComparison.Ordinal);
    }

    /// <summary>Exit 1, one line of reason on stderr, never a socket.</summary>
    private static void AssertConfigFailure(DaemonExit exit)
    {
        Assert.True(exit.ExitCode == 1, exit.ToString());
        string stderr = exit.Stderr.Trim();
        Assert.True(stderr.Length > 0, exit.ToString());
        Assert.True(!stderr.Contains('\n', StringComparison.Ordinal), "expected a one-line reason:\n" + exit);
    }
}
