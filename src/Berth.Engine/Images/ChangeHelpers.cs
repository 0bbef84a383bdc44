using System.Globalization;

namespace Berth.Engine.Images;

/// <summary>EXPOSE arguments as go-connections nat.ParsePortSpecs reads them: "80", "80/udp", "8000-8002/tcp".</summary>
internal static class PortSpecs
{
    public static IEnumerable<string> Expand(string spec)
    {
        string proto = "tcp";
        string ports = spec;
        int slash = spec.IndexOf('/', StringComparison.Ordinal);
        if (slash >= 0)
        {
            proto = spec[(slash + 1)..].ToLowerInvariant();
            ports = spec[..slash];
            if (proto is not ("tcp" or "udp" or "sctp"))
            {
                throw ImportChanges.Invalid($"invalid proto: {proto}");
            }
        }
        int dash = ports.IndexOf('-', StringComparison.Ordinal);
        string startText = dash < 0 ? ports : ports[..dash];
        string endText = dash < 0 ? ports : ports[(dash + 1)..];
        if (!ushort.TryParse(startText, NumberStyles.None, CultureInfo.InvariantCulture, out ushort start) ||
            !ushort.TryParse(endText, NumberStyles.None, CultureInfo.InvariantCulture, out ushort end))
        {
            throw ImportChanges.Invalid($"invalid containerPort: {ports}");
        }
        if (end < start)
        {
            throw ImportChanges.Invalid($"invalid range specified for port: {ports}");
        }
        for (int port = start; port <= end; port++)
        {
            yield return port.ToString(CultureInfo.InvariantCulture) + "/" + proto;
        }
    }
}

/// <summary>moby's signal.ParseSignal acceptance: a positive number or a Linux signal name, "SIG" optional.</summary>
internal static class Signals
{
    private static readonly HashSet<string> Names = new(StringComparer.Ordinal)
    {
        "ABRT", "ALRM", "BUS", "CHLD", "CLD", "CONT", "FPE", "HUP", "ILL", "INT", "IO", "IOT", "KILL", "PIPE",
        "POLL", "PROF", "PWR", "QUIT", "SEGV", "STKFLT", "STOP", "SYS", "TERM", "TRAP", "TSTP", "TTIN", "TTOU",
        "URG", "USR1", "USR2", "VTALRM", "WINCH", "XCPU", "XFSZ", "UNUSED", "RTMIN", "RTMAX",
    };

    public static bool IsValid(string raw)
    {
        if (int.TryParse(raw, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int number))
        {
            return number != 0;
        }
        string name = raw.ToUpperInvariant();
        if (name.StartsWith("SIG", StringComparison.Ordinal))
        {
            name = name[3..];
        }
        if (Names.Contains(name))
        {
            return true;
        }
        // RTMIN+n and RTMAX-n, as moby's SignalMap lists them.
        return (name.StartsWith("RTMIN+", StringComparison.Ordinal) || name.StartsWith("RTMAX-", StringComparison.Ordinal))
            && int.TryParse(name.AsSpan(6), NumberStyles.None, CultureInfo.InvariantCulture, out int n) && n is >= 1 and <= 15;
    }
}

/// <summary>HEALTHCHECK [--interval=… --timeout=… --start-period=… --start-interval=… --retries=…] CMD … | NONE.</summary>
internal static class HealthcheckParser
{
    public static HealthConfig Parse(string args)
    {
        var words = ShellWords.SplitRaw(args);
        if (words.Count > 0 && string.Equals(words[0], "NONE", StringComparison.OrdinalIgnoreCase))
        {
            if (words.Count > 1)
            {
                throw ImportChanges.Invalid("HEALTHCHECK NONE takes no arguments");
            }
            return new HealthConfig { Test = ["NONE"] };
        }
        long? interval = null, timeout = null, startPeriod = null, startInterval = null;
        int? retries = null;
        string rest = args;
        while (rest.StartsWith("--", StringComparison.Ordinal))
        {
            int space = rest.IndexOfAny([' ', '\t']);
            string flag = space < 0 ? rest : rest[..space];
            rest = space < 0 ? "" : rest[(space + 1)..].TrimStart();
            int eq = flag.IndexOf('=', StringComparison.Ordinal);
            string key = eq < 0 ? flag : flag[..eq];
            string value = eq < 0 ? "" : flag[(eq + 1)..];
            switch (key)
            {
                case "--interval": interval = ImportChanges.DurationNanos(key, value); break;
                case "--timeout": timeout = ImportChanges.DurationNanos(key, value); break;
                case "--start-period": startPeriod = ImportChanges.DurationNanos(key, value); break;
                case "--start-interval": startInterval = ImportChanges.DurationNanos(key, value); break;
                case "--retries": retries = ImportChanges.ParseRetries(value); break;
                default: throw ImportChanges.Invalid($"Unknown flag: {key[2..]}");
            }
        }
        int typeEnd = rest.IndexOfAny([' ', '\t']);
        string type = (typeEnd < 0 ? rest : rest[..typeEnd]).ToUpperInvariant();
        string command = typeEnd < 0 ? "" : rest[(typeEnd + 1)..].Trim();
        if (type != "CMD")
        {
            throw ImportChanges.Invalid($"Unknown type \"{type}\" in HEALTHCHECK (try CMD)");
        }
        if (command.Length == 0)
        {
            throw ImportChanges.Invalid("Missing command after HEALTHCHECK CMD");
        }
        List<string> test = ImportChanges.TryJsonArray(command, out var exec) ? ["CMD", .. exec] : ["CMD-SHELL", command];
        return new HealthConfig
        {
            Test = test,
            Interval = interval,
            Timeout = timeout,
            StartPeriod = startPeriod,
            StartInterval = startInterval,
            Retries = retries,
        };
    }
}
