using System.Globalization;
using System.Text.Json;
using Berth.Engine.Errors;

namespace Berth.Engine.Images;

/// <summary>
/// Applies the <c>changes</c> of POST /images/create (docker import -c) to a run configuration,
/// as moby's dockerfile.BuildFromConfig does: the lines are parsed as Dockerfile instructions and
/// only the commit commands are allowed. Errors are InvalidParameter with dockerd's texts.
/// </summary>
public static class ImportChanges
{
    private static readonly string[] DefaultShell = ["/bin/sh", "-c"];

    public static RunConfig Apply(RunConfig config, IReadOnlyList<string> changes)
    {
        if (changes.Count == 0)
        {
            return config;
        }
        var instructions = ParseLines(string.Join('\n', changes));
        foreach (var (name, _) in instructions)
        {
            if (!IsCommitCommand(name))
            {
                throw Invalid(Messages.InvalidChangeCommand(name));
            }
        }
        bool cmdSet = false;
        foreach (var (name, args) in instructions)
        {
            Dispatch(config, name, args, ref cmdSet, config.GetEnv);
        }
        return config;
    }

    private static bool IsCommitCommand(string name) => name is
        "cmd" or "entrypoint" or "healthcheck" or "env" or "expose" or "label" or "onbuild"
        or "stopsignal" or "user" or "volume" or "workdir";

    /// <summary>Dockerfile lines: continuation backslashes joined, blank lines and comments skipped.</summary>
    internal static List<(string Name, string Args)> ParseLines(string text)
    {
        var result = new List<(string, string)>();
        string pending = "";
        foreach (var raw in text.Split('\n'))
        {
            string line = raw.TrimEnd('\r');
            if (pending.Length == 0 && line.TrimStart().StartsWith('#'))
            {
                continue;
            }
            if (line.EndsWith('\\'))
            {
                pending += line[..^1];
                continue;
            }
            string full = (pending + line).Trim();
            pending = "";
            if (full.Length == 0)
            {
                continue;
            }
            int space = full.IndexOfAny([' ', '\t']);
            string name = (space < 0 ? full : full[..space]).ToLowerInvariant();
            string args = space < 0 ? "" : full[(space + 1)..].Trim();
            result.Add((name, args));
        }
        if (pending.Trim().Length > 0)
        {
            var full = pending.Trim();
            int space = full.IndexOfAny([' ', '\t']);
            result.Add(((space < 0 ? full : full[..space]).ToLowerInvariant(), space < 0 ? "" : full[(space + 1)..].Trim()));
        }
        return result;
    }

    /// <summary>Applies one commit command; <paramref name="lookup"/> resolves $VARs (the builder adds ARGs).</summary>
    internal static void Dispatch(RunConfig config, string name, string args, ref bool cmdSet, Func<string, string?> lookup)
    {
        string Expand(string word) => ShellWords.Process(word, lookup);
        switch (name)
        {
            case "cmd":
                config.Cmd = CommandLine(config, args, out bool cmdEmpty);
                cmdSet |= !cmdEmpty;
                break;
            case "entrypoint":
                config.Entrypoint = CommandLine(config, args, out _);
                if (!cmdSet)
                {
                    config.Cmd = null;
                }
                break;
            case "env":
                foreach (var (key, value) in NameValues("ENV", args))
                {
                    config.SetEnv(Expand(key), Expand(value));
                }
                break;
            case "label":
                foreach (var (key, value) in NameValues("LABEL", args))
                {
                    config.Labels ??= new(StringComparer.Ordinal);
                    config.Labels[Expand(key)] = Expand(value);
                }
                break;
            case "expose":
                var ports = ShellWords.SplitRaw(args);
                if (ports.Count == 0)
                {
                    throw Invalid("EXPOSE requires at least one argument");
                }
                foreach (var port in ports)
                {
                    config.ExposedPorts ??= new(StringComparer.Ordinal);
                    foreach (var spec in PortSpecs.Expand(Expand(port)))
                    {
                        config.ExposedPorts.Add(spec);
                    }
                }
                break;
            case "user":
                config.User = Expand(ExactlyOne("USER", args));
                break;
            case "workdir":
                config.WorkingDir = Workdir(config.WorkingDir, Expand(ExactlyOne("WORKDIR", args)));
                break;
            case "stopsignal":
                string signal = Expand(ExactlyOne("STOPSIGNAL", args));
                if (!Signals.IsValid(signal))
                {
                    throw Invalid($"Invalid signal: {signal}");
                }
                config.StopSignal = signal;
                break;
            case "volume":
                Volumes(config, args, Expand);
                break;
            case "onbuild":
                OnBuild(config, args);
                break;
            case "healthcheck":
                config.Healthcheck = HealthcheckParser.Parse(args);
                break;
        }
    }

    /// <summary>Exec form (a JSON string array) as given; shell form prefixed with the shell.</summary>
    internal static List<string> CommandLine(RunConfig config, string args, out bool empty)
    {
        if (TryJsonArray(args, out var exec))
        {
            empty = exec.Count == 0;
            return exec;
        }
        empty = args.Length == 0;
        var shell = config.Shell ?? [.. DefaultShell];
        return [.. shell, args];
    }

    internal static bool TryJsonArray(string text, out List<string> values)
    {
        values = [];
        if (!text.StartsWith('['))
        {
            return false;
        }
        try
        {
            using var document = JsonDocument.Parse(text);
            if (document.RootElement.ValueKind != JsonValueKind.Array)
            {
                return false;
            }
            foreach (var item in document.RootElement.EnumerateArray())
            {
                if (item.ValueKind != JsonValueKind.String)
                {
                    values = [];
                    return false;
                }
                values.Add(item.GetString()!);
            }
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    /// <summary>"k=v k2=v2", or the legacy "k some value" form (one pair, the rest of the line).</summary>
    private static List<(string, string)> NameValues(string instruction, string args)
    {
        var words = ShellWords.SplitRaw(args);
        if (words.Count == 0)
        {
            throw Invalid($"{instruction} requires at least one argument");
        }
        var pairs = new List<(string, string)>();
        if (!words[0].Contains('=', StringComparison.Ordinal))
        {
            string rest = args[words[0].Length..].Trim();
            if (rest.Length == 0)
            {
                throw Invalid($"{instruction} must have two arguments");
            }
            pairs.Add((words[0], rest));
            return pairs;
        }
        foreach (var word in words)
        {
            int eq = word.IndexOf('=', StringComparison.Ordinal);
            if (eq < 0)
            {
                throw Invalid($"Syntax error - can't find = in \"{word}\". Must be of the form: name=value");
            }
            if (eq == 0)
            {
                throw Invalid($"{instruction} names can not be blank");
            }
            pairs.Add((word[..eq], word[(eq + 1)..]));
        }
        return pairs;
    }

    private static string ExactlyOne(string instruction, string args)
    {
        var words = ShellWords.SplitRaw(args);
        if (words.Count != 1)
        {
            throw Invalid($"{instruction} requires exactly one argument");
        }
        return words[0];
    }

    /// <summary>moby normalizeWorkdir: relative paths are joined to the current one and cleaned.</summary>
    internal static string Workdir(string current, string requested)
    {
        if (requested.StartsWith('/'))
        {
            return requested;
        }
        var parts = new List<string>();
        foreach (var part in ("/" + current + "/" + requested).Split('/'))
        {
            if (part is "" or ".")
            {
                continue;
            }
            if (part == "..")
            {
                if (parts.Count > 0)
                {
                    parts.RemoveAt(parts.Count - 1);
                }
                continue;
            }
            parts.Add(part);
        }
        return "/" + string.Join('/', parts);
    }

    private static void Volumes(RunConfig config, string args, Func<string, string> expand)
    {
        List<string> volumes = TryJsonArray(args, out var json) ? json : ShellWords.SplitRaw(args);
        if (volumes.Count == 0)
        {
            throw Invalid("VOLUME requires at least one argument");
        }
        foreach (var raw in volumes)
        {
            string volume = expand(raw).Trim();
            if (volume.Length == 0)
            {
                throw Invalid("VOLUME specified can not be an empty string");
            }
            config.Volumes ??= new(StringComparer.Ordinal);
            config.Volumes.Add(volume);
        }
    }

    private static void OnBuild(RunConfig config, string args)
    {
        string trigger = args.Split([' ', '\t'], 2)[0].ToUpperInvariant();
        switch (trigger)
        {
            case "":
                throw Invalid("ONBUILD requires at least one argument");
            case "ONBUILD":
                throw Invalid("Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed");
            case "MAINTAINER" or "FROM":
                throw Invalid($"{trigger} isn't allowed as an ONBUILD trigger");
        }
        config.OnBuild ??= [];
        config.OnBuild.Add(args);
    }

    internal static DaemonException Invalid(string message) => DaemonException.InvalidParameter(message);

    /// <summary>Parses a Go duration flag value for HEALTHCHECK into nanoseconds.</summary>
    internal static long DurationNanos(string flag, string value)
    {
        if (!GoTime.TryParseGoDuration(value, out var duration))
        {
            throw Invalid($"time: invalid duration \"{value}\"");
        }
        long nanos = duration.Ticks * 100;
        if (nanos != 0 && nanos < 1_000_000)
        {
            throw Invalid($"Interval \"{flag}\" cannot be less than 1ms");
        }
        return nanos;
    }

    internal static int ParseRetries(string value)
    {
        if (!int.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int retries))
        {
            throw Invalid($"strconv.ParseInt: parsing \"{value}\": invalid syntax");
        }
        if (retries < 0)
        {
            throw Invalid($"--retries cannot be negative ({retries})");
        }
        return retries;
    }
}
