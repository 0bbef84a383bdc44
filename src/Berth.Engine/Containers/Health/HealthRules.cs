using System.Globalization;
using System.Text;
using Berth.Engine.Errors;

namespace Berth.Engine.Containers;

/// <summary>
/// dockerd's health-check rules (moby daemon/health.go) as pure functions: which probe a
/// configuration asks for, the intervals with their defaults, and how a probe result moves
/// the state (failing streak, retries, start period, the last five log entries).
/// </summary>
public static class HealthRules
{
    public static readonly TimeSpan DefaultInterval = TimeSpan.FromSeconds(30);
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);
    public static readonly TimeSpan DefaultStartInterval = TimeSpan.FromSeconds(5);
    public const int DefaultRetries = 3;
    public const int MaxLogEntries = 5;
    public const int MaxOutputLength = 4096;

    /// <summary>containertypes.MinimumDuration: 1 ms.</summary>
    private const long MinimumDurationNs = 1_000_000;

    /// <summary>
    /// The command a probe runs, or null when the configuration has none ("NONE", no test, or an
    /// unknown type, which dockerd only logs). CMD-SHELL runs through the container's shell.
    /// </summary>
    public static IReadOnlyList<string>? ProbeCommand(HealthSettings? config, IReadOnlyList<string>? shell)
    {
        if (config?.Test is not { Count: > 0 } test)
        {
            return null;
        }
        List<string> rest = [.. test.Skip(1)];
        switch (test[0])
        {
            case "CMD":
                return rest.Count == 0 ? null : rest;
            case "CMD-SHELL":
                if (rest.Count == 0)
                {
                    return null;
                }
                List<string> command = shell is { Count: > 0 } ? [.. shell] : ["/bin/sh", "-c"];
                command.AddRange(rest);
                return command;
            default:
                return null;
        }
    }

    public static TimeSpan Interval(HealthSettings c) => OrDefault(c.Interval, DefaultInterval);

    public static TimeSpan Timeout(HealthSettings c) => OrDefault(c.Timeout, DefaultTimeout);

    public static TimeSpan StartPeriod(HealthSettings c) => OrDefault(c.StartPeriod, TimeSpan.Zero);

    public static TimeSpan StartInterval(HealthSettings c) => OrDefault(c.StartInterval, DefaultStartInterval);

    public static int Retries(HealthSettings c) => c.Retries <= 0 ? DefaultRetries : c.Retries;

    /// <summary>The wait before the next probe: the start interval while starting within the start period.</summary>
    public static TimeSpan NextDelay(HealthSettings c, TimeSpan sinceStart, string status) =>
        sinceStart < StartPeriod(c) && status == HealthState.Starting ? StartInterval(c) : Interval(c);

    /// <summary>handleProbeResult: the state after one more result.</summary>
    public static HealthState Apply(HealthState state, HealthSettings config, HealthLogEntry result, DateTimeOffset startedAt)
    {
        List<HealthLogEntry> log = [.. state.Log.Skip(Math.Max(0, state.Log.Count + 1 - MaxLogEntries)), result];
        if (result.ExitCode == 0)
        {
            return state with { Status = HealthState.Healthy, FailingStreak = 0, Log = log };
        }
        // Failures during the start period do not count while the container has never been healthy.
        if (state.Status == HealthState.Starting && result.Start - startedAt < StartPeriod(config))
        {
            return state with { Log = log };
        }
        int streak = state.FailingStreak + 1;
        return state with
        {
            FailingStreak = streak,
            Status = streak >= Retries(config) ? HealthState.Unhealthy : state.Status,
            Log = log,
        };
    }

    /// <summary>The log entry of a probe that ran out of time (exit code -1, as dockerd).</summary>
    public static string TimeoutOutput(TimeSpan timeout, string output) =>
        output.Length > 0
            ? $"Health check exceeded timeout ({FormatGoDuration(timeout)}): {output}"
            : $"Health check exceeded timeout ({FormatGoDuration(timeout)})";

    /// <summary>validateHealthCheck (create): durations below 1 ms and negative retries are refused.</summary>
    public static void Validate(HealthSettings? c)
    {
        if (c is null)
        {
            return;
        }
        if (c.Interval != 0 && c.Interval < MinimumDurationNs)
        {
            throw DaemonException.InvalidParameter(Messages.HealthDurationTooShort("Interval"));
        }
        if (c.Timeout != 0 && c.Timeout < MinimumDurationNs)
        {
            throw DaemonException.InvalidParameter(Messages.HealthDurationTooShort("Timeout"));
        }
        if (c.Retries < 0)
        {
            throw DaemonException.InvalidParameter(Messages.HealthRetriesNegative);
        }
        if (c.StartPeriod != 0 && c.StartPeriod < MinimumDurationNs)
        {
            throw DaemonException.InvalidParameter(Messages.HealthDurationTooShort("StartPeriod"));
        }
        if (c.StartInterval != 0 && c.StartInterval < MinimumDurationNs)
        {
            throw DaemonException.InvalidParameter(Messages.HealthDurationTooShort("StartInterval"));
        }
    }

    /// <summary>Go's time.Duration.String for the durations a health check uses ("30s", "1.5s", "500ms", "1m30s").</summary>
    public static string FormatGoDuration(TimeSpan d)
    {
        long ns = d.Ticks * 100;
        if (ns == 0)
        {
            return "0s";
        }
        var sb = new StringBuilder();
        if (ns < 0)
        {
            sb.Append('-');
            ns = -ns;
        }
        if (ns < 1_000_000_000)
        {
            // below a second Go picks the largest unit: ns, µs or ms, with a fraction
            (long unit, string suffix) = ns < 1_000 ? (1L, "ns") : ns < 1_000_000 ? (1_000L, "µs") : (1_000_000L, "ms");
            return sb.Append(Fraction(ns, unit)).Append(suffix).ToString();
        }
        long hours = ns / 3_600_000_000_000;
        ns -= hours * 3_600_000_000_000;
        long minutes = ns / 60_000_000_000;
        ns -= minutes * 60_000_000_000;
        if (hours > 0)
        {
            sb.Append(hours.ToString(CultureInfo.InvariantCulture)).Append('h');
        }
        if (hours > 0 || minutes > 0)
        {
            sb.Append(minutes.ToString(CultureInfo.InvariantCulture)).Append('m');
        }
        return sb.Append(Fraction(ns, 1_000_000_000)).Append('s').ToString();
    }

    private static string Fraction(long value, long unit)
    {
        long whole = value / unit;
        long rest = value % unit;
        if (rest == 0)
        {
            return whole.ToString(CultureInfo.InvariantCulture);
        }
        int digits = unit.ToString(CultureInfo.InvariantCulture).Length - 1;
        string fraction = rest.ToString(CultureInfo.InvariantCulture).PadLeft(digits, '0').TrimEnd('0');
        return whole.ToString(CultureInfo.InvariantCulture) + "." + fraction;
    }

    private static TimeSpan OrDefault(long nanoseconds, TimeSpan fallback) =>
        nanoseconds == 0 ? fallback : TimeSpan.FromTicks(nanoseconds / 100);
}
