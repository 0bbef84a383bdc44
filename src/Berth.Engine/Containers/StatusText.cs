using System.Globalization;

namespace Berth.Engine.Containers;

/// <summary>The STATUS column of `docker ps` (moby container.State.String and go-units HumanDuration).</summary>
public static class StatusText
{
    public static string Describe(ContainerState state, bool removalInProgress, DateTimeOffset now)
    {
        if (state.Running)
        {
            string up = HumanDuration(now - (state.StartedAt ?? now));
            return state.Paused ? $"Up {up} (Paused)"
                : state.Restarting ? $"Restarting ({state.ExitCode}) {HumanDuration(now - (state.FinishedAt ?? now))} ago"
                : state.Health is { } health ? $"Up {up} ({health.Describe()})"
                : $"Up {up}";
        }
        if (removalInProgress || state.Status == ContainerStatus.Removing)
        {
            return "Removal In Progress";
        }
        if (state.Dead)
        {
            return "Dead";
        }
        if (state.StartedAt is null)
        {
            return "Created";
        }
        if (state.FinishedAt is null)
        {
            return "";
        }
        return $"Exited ({state.ExitCode}) {HumanDuration(now - state.FinishedAt.Value)} ago";
    }

    public static string HumanDuration(TimeSpan d)
    {
        long seconds = (long)d.TotalSeconds;
        if (seconds < 1)
        {
            return "Less than a second";
        }
        if (seconds == 1)
        {
            return "1 second";
        }
        if (seconds < 60)
        {
            return Invariant($"{seconds} seconds");
        }
        long minutes = (long)d.TotalMinutes;
        if (minutes == 1)
        {
            return "About a minute";
        }
        if (minutes < 60)
        {
            return Invariant($"{minutes} minutes");
        }
        long hours = (long)Math.Round(d.TotalHours, MidpointRounding.AwayFromZero);
        if (hours == 1)
        {
            return "About an hour";
        }
        if (hours < 48)
        {
            return Invariant($"{hours} hours");
        }
        if (hours < 24 * 7 * 2)
        {
            return Invariant($"{hours / 24} days");
        }
        if (hours < 24 * 30 * 2)
        {
            return Invariant($"{hours / 24 / 7} weeks");
        }
        if (hours < 24 * 365 * 2)
        {
            return Invariant($"{hours / 24 / 30} months");
        }
        return Invariant($"{(long)d.TotalHours / 24 / 365} years");
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
