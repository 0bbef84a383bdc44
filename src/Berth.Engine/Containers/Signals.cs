using System.Globalization;
using Berth.Engine.Errors;

namespace Berth.Engine.Containers;

/// <summary>Linux signal names and numbers as moby's signal.ParseSignal accepts them ("TERM", "SIGTERM", "15").</summary>
public static class Signals
{
    public const int SIGKILL = 9;
    public const int SIGTERM = 15;

    private static readonly Dictionary<string, int> ByName = new(StringComparer.Ordinal)
    {
        ["ABRT"] = 6, ["ALRM"] = 14, ["BUS"] = 7, ["CHLD"] = 17, ["CLD"] = 17, ["CONT"] = 18, ["FPE"] = 8,
        ["HUP"] = 1, ["ILL"] = 4, ["INT"] = 2, ["IO"] = 29, ["IOT"] = 6, ["KILL"] = 9, ["PIPE"] = 13,
        ["POLL"] = 29, ["PROF"] = 27, ["PWR"] = 30, ["QUIT"] = 3, ["SEGV"] = 11, ["STKFLT"] = 16,
        ["STOP"] = 19, ["SYS"] = 31, ["TERM"] = 15, ["TRAP"] = 5, ["TSTP"] = 20, ["TTIN"] = 21,
        ["TTOU"] = 22, ["URG"] = 23, ["USR1"] = 10, ["USR2"] = 12, ["VTALRM"] = 26, ["WINCH"] = 28,
        ["XCPU"] = 24, ["XFSZ"] = 25,
    };

    /// <summary>Parses a signal; "RTMIN+3" style real-time names too. InvalidParameter "Invalid signal: x" otherwise.</summary>
    public static int Parse(string text)
    {
        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int number))
        {
            return number is > 0 and <= 64 ? number : throw DaemonException.InvalidParameter(Messages.InvalidSignal(text));
        }
        string name = text.ToUpperInvariant();
        if (name.StartsWith("SIG", StringComparison.Ordinal))
        {
            name = name[3..];
        }
        if (ByName.TryGetValue(name, out int value))
        {
            return value;
        }
        if (name.StartsWith("RTMIN", StringComparison.Ordinal) && RealTime(name[5..], 34, +1) is int min)
        {
            return min;
        }
        if (name.StartsWith("RTMAX", StringComparison.Ordinal) && RealTime(name[5..], 64, -1) is int max)
        {
            return max;
        }
        throw DaemonException.InvalidParameter(Messages.InvalidSignal(text));
    }

    private static int? RealTime(string offset, int baseValue, int sign)
    {
        if (offset.Length == 0)
        {
            return baseValue;
        }
        return offset.Length > 1 && offset[0] == (sign > 0 ? '+' : '-')
            && int.TryParse(offset[1..], NumberStyles.None, CultureInfo.InvariantCulture, out int n) && n <= 30
            ? baseValue + (sign * n)
            : null;
    }
}
