namespace Berth.Linux;

/// <summary>A process's scheduler state from /proc/&lt;pid&gt;/stat.</summary>
public static class ProcessStates
{
    /// <summary>The state letter (R, S, D, T, Z, X…) of <paramref name="pid"/>, or null when there is no such process.</summary>
    public static char? Of(int pid) => ReadStat(pid) is { } stat ? Parse(stat) : null;

    /// <summary>The letter after the command name, which is in parentheses and may itself hold ")" or spaces.</summary>
    public static char? Parse(string stat)
    {
        int close = stat.LastIndexOf(')');
        return close >= 0 && close + 2 < stat.Length ? stat[close + 2] : null;
    }

    /// <summary>Field 22 of /proc/&lt;pid&gt;/stat (start time in clock ticks), which tells a recycled pid apart; null when gone.</summary>
    public static ulong? StartTime(int pid) => ReadStat(pid) is { } stat ? ParseStartTime(stat) : null;

    // Without exceptions: a gone process is the common answer here (exit and reuse checks).
    private static string? ReadStat(int pid) =>
        pid <= 0 ? null : Libc.ReadSmallFileUnlocked($"/proc/{pid}/stat");

    public static ulong? ParseStartTime(string stat)
    {
        int close = stat.LastIndexOf(')');
        if (close < 0 || close + 2 > stat.Length)
        {
            return null;
        }
        // After ") " come fields 3, 4, …: the start time is the 20th of them.
        string[] fields = stat[(close + 2)..].Split(' ');
        return fields.Length > 19 && ulong.TryParse(fields[19], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out ulong ticks)
            ? ticks : null;
    }

    /// <summary>An existing process that is not a zombie (a zombie still answers kill -0, and its parent may reap it late).</summary>
    public static bool IsLive(int pid) => Of(pid) is { } state && IsLiveState(state);

    /// <summary>
    /// <see cref="IsLive(int)"/> for the process that started at <paramref name="startTime"/>
    /// (a recycled pid is another process), from one read of its stat line.
    /// </summary>
    public static bool IsLive(int pid, ulong startTime) =>
        ReadStat(pid) is { } stat && Parse(stat) is { } state && IsLiveState(state) && ParseStartTime(stat) == startTime;

    private static bool IsLiveState(char state) => state is not ('Z' or 'X' or 'x');
}
