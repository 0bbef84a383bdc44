using Berth.Engine.Containers;
using Berth.Engine.Errors;

namespace Berth.UnitTests.Engine.Containers;

public sealed class HealthRulesTests
{
    private static readonly DateTimeOffset Started = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static HealthLogEntry Result(int code, double secondsAfterStart) =>
        new(Started.AddSeconds(secondsAfterStart), Started.AddSeconds(secondsAfterStart + 0.1), code, "");

    [Fact]
    public void ProbeCommand_CmdShellUsesTheShell_NoneAndEmptyGiveNothing()
    {
        Assert.Equal(["/bin/sh", "-c", "curl -f x"], HealthRules.ProbeCommand(new HealthSettings { Test = ["CMD-SHELL", "curl -f x"] }, null));
        Assert.Equal(["bash", "-lc", "true"], HealthRules.ProbeCommand(new HealthSettings { Test = ["CMD-SHELL", "true"] }, ["bash", "-lc"]));
        Assert.Equal(["test", "-f", "/ok"], HealthRules.ProbeCommand(new HealthSettings { Test = ["CMD", "test", "-f", "/ok"] }, null));
        Assert.Null(HealthRules.ProbeCommand(new HealthSettings { Test = ["NONE"] }, null));
        Assert.Null(HealthRules.ProbeCommand(new HealthSettings { Test = ["CMD"] }, null));
        Assert.Null(HealthRules.ProbeCommand(new HealthSettings { Test = [] }, null));
        Assert.Null(HealthRules.ProbeCommand(null, null));
    }

    [Fact]
    public void Defaults_ThirtySecondsAndThreeRetries()
    {
        var c = new HealthSettings { Test = ["CMD", "true"] };
        Assert.Equal(TimeSpan.FromSeconds(30), HealthRules.Interval(c));
        Assert.Equal(TimeSpan.FromSeconds(30), HealthRules.Timeout(c));
        Assert.Equal(3, HealthRules.Retries(c));
        Assert.Equal(TimeSpan.FromMilliseconds(200), HealthRules.Interval(c with { Interval = 200_000_000 }));
    }

    [Fact]
    public void StartInterval_AppliesWhileStartingWithinTheStartPeriod()
    {
        var c = new HealthSettings { Interval = 10_000_000_000, StartPeriod = 60_000_000_000, StartInterval = 1_000_000_000 };
        Assert.Equal(TimeSpan.FromSeconds(1), HealthRules.NextDelay(c, TimeSpan.FromSeconds(5), HealthState.Starting));
        Assert.Equal(TimeSpan.FromSeconds(10), HealthRules.NextDelay(c, TimeSpan.FromSeconds(5), HealthState.Healthy));
        Assert.Equal(TimeSpan.FromSeconds(10), HealthRules.NextDelay(c, TimeSpan.FromSeconds(61), HealthState.Starting));
    }

    [Fact]
    public void Apply_StreakReachesRetries_ThenUnhealthy_SuccessResets()
    {
        var c = new HealthSettings { Retries = 2 };
        var s = new HealthState();
        s = HealthRules.Apply(s, c, Result(1, 1), Started);
        Assert.Equal((HealthState.Starting, 1), (s.Status, s.FailingStreak));
        s = HealthRules.Apply(s, c, Result(1, 2), Started);
        Assert.Equal((HealthState.Unhealthy, 2), (s.Status, s.FailingStreak));
        s = HealthRules.Apply(s, c, Result(0, 3), Started);
        Assert.Equal((HealthState.Healthy, 0), (s.Status, s.FailingStreak));
        s = HealthRules.Apply(s, c, Result(1, 4), Started);
        Assert.Equal((HealthState.Healthy, 1), (s.Status, s.FailingStreak));
    }

    [Fact]
    public void Apply_FailuresInTheStartPeriodDoNotCount_UntilFirstHealthy()
    {
        var c = new HealthSettings { Retries = 1, StartPeriod = 10_000_000_000 };
        HealthState s = HealthRules.Apply(new HealthState(), c, Result(1, 2), Started);
        Assert.Equal((HealthState.Starting, 0), (s.Status, s.FailingStreak));
        s = HealthRules.Apply(s, c, Result(1, 11), Started);
        Assert.Equal(HealthState.Unhealthy, s.Status);
    }

    [Fact]
    public void Apply_KeepsTheLastFiveResults()
    {
        var s = new HealthState();
        for (int i = 0; i < 7; i++)
        {
            s = HealthRules.Apply(s, new HealthSettings(), Result(i, i), Started);
        }
        Assert.Equal([2, 3, 4, 5, 6], s.Log.Select(l => l.ExitCode));
    }

    [Fact]
    public void Validate_DockerdsTexts()
    {
        Assert.Equal("Interval in Healthcheck cannot be less than 1ms",
            Assert.Throws<DaemonException>(() => HealthRules.Validate(new HealthSettings { Interval = 999 })).Message);
        Assert.Equal("Retries in Healthcheck cannot be negative",
            Assert.Throws<DaemonException>(() => HealthRules.Validate(new HealthSettings { Retries = -1 })).Message);
        HealthRules.Validate(new HealthSettings { Interval = 1_000_000 });
    }

    [Theory]
    [InlineData(30_000, "30s")]
    [InlineData(1_500, "1.5s")]
    [InlineData(500, "500ms")]
    [InlineData(90_000, "1m30s")]
    [InlineData(3_600_000, "1h0m0s")]
    public void GoDuration(int milliseconds, string expected) =>
        Assert.Equal(expected, HealthRules.FormatGoDuration(TimeSpan.FromMilliseconds(milliseconds)));

    [Fact]
    public void TimeoutOutput_AsDockerd() =>
        Assert.Equal("Health check exceeded timeout (2s): partial", HealthRules.TimeoutOutput(TimeSpan.FromSeconds(2), "partial"));
}
