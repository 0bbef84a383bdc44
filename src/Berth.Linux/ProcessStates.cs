namespace Berth.Linux;

/// <summary>A process's scheduler state from /proc/&lt;pid&gt;/stat.</summary>
public static class ProcessStates
{
    /// <summary>The state letter (R, S, D, T, Z, X…) of <paramref name="pid"/>, or null when there is no such process.</summary>
    public static char? Of(int pid)
    {
        if (pid <= 0)
        {
            return null;
        }
        try
        {
            return Parse(File.ReadAllText($"/proc/{pid}/stat"));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>The letter after the command name, which is in parentheses and may itself hold ")" or spaces.</summary>
    public static char? Parse(string stat)
    {
        int close = stat.LastIndexOf(')');
        return close >= 0 && close + 2 < stat.Length ? stat[close + 2] : null;
    }

    /// <summary>An existing process that is not a zombie (a zombie still answers kill -0, and its parent may reap it late).</summary>
    public static bool IsLive(int pid) => Of(pid) is { } state && state is not ('Z' or 'X' or 'x');
}
