using Berth.Engine.Configuration;

namespace Berth.Daemon.Configuration;

/// <summary>
/// Flags + daemon.json → <see cref="DaemonConfig"/>, with dockerd's precedence, conflict rules and
/// messages (moby daemon/command/daemon.go loadDaemonCliConfig, daemon/config/config.go).
/// Never throws for user errors: every failure is a one-line <c>Error</c>.
/// </summary>
public static class ConfigLoader
{
    /// <summary>The settings a SIGHUP may change in Berth (dockerd reloads more, none of which Berth has yet).</summary>
    public static readonly IReadOnlyList<string> ReloadableKeys = ["debug", "labels", "log-level"];

    /// <summary>Parses flags, reads daemon.json (--config-file or the default), merges and validates.</summary>
    public static ConfigLoadResult Load(string[] args) => Load(args, DaemonConfig.DefaultConfigFile);

    /// <summary>
    /// SIGHUP: re-reads the config file named by the original arguments and applies only
    /// debug, log-level and labels, and only those the file sets (dockerd's IsValueSet rule:
    /// a key removed from the file keeps its current value). Other keys are ignored, as dockerd
    /// ignores non-reloadable ones; unknown keys, flag conflicts and bad JSON still fail.
    /// </summary>
    public static ConfigReloadResult Reload(DaemonConfig current, string[] originalArgs) =>
        Reload(current, originalArgs, DaemonConfig.DefaultConfigFile);

    internal static ConfigLoadResult Load(string[] args, string defaultConfigFile)
    {
        DaemonArgs parsed = DaemonArgs.Parse(args, defaultConfigFile);
        ConfigLoadResult Fail(string error) => new(null, error, parsed.ValidateOnly, false, false);
        if (parsed.Error is not null)
        {
            return Fail(parsed.Error);
        }
        if (parsed.ShowHelp || parsed.ShowVersion)
        {
            return new(null, null, parsed.ValidateOnly, parsed.ShowVersion, parsed.ShowHelp);
        }

        var settings = new Dictionary<DaemonOption, object>(parsed.Given);
        DaemonFileResult file = DaemonJsonFile.Read(parsed.ConfigFile, parsed);
        // A missing file is only fine when it is the default location nobody asked for.
        bool fromFile = !(file.Missing && !parsed.ConfigFileExplicit);
        if (fromFile)
        {
            if (file.Error is not null)
            {
                return Fail(FileError(parsed.ConfigFile, file.Error));
            }
            foreach ((DaemonOption option, object value) in file.Settings!)
            {
                settings[option] = value; // no overlap with flags: conflicts were rejected
            }
        }

        if (ConfigValidation.Common(settings) is string invalid)
        {
            // dockerd validates the merged config inside the file step, so the file prefix applies.
            return Fail(fromFile
                ? FileError(parsed.ConfigFile, "merged configuration validation from file and command line flags failed: " + invalid)
                : invalid);
        }

        DaemonConfig? config = ConfigBuilder.Build(settings, parsed, out string? error);
        return config is null ? Fail(error!) : new(config, null, parsed.ValidateOnly, false, false);
    }

    internal static ConfigReloadResult Reload(DaemonConfig current, string[] originalArgs, string defaultConfigFile)
    {
        ConfigReloadResult Fail(string error) => new(current, error, []);
        DaemonArgs parsed = DaemonArgs.Parse(originalArgs, defaultConfigFile);
        if (parsed.Error is not null)
        {
            return Fail(parsed.Error);
        }
        DaemonFileResult file = DaemonJsonFile.Read(parsed.ConfigFile, parsed);
        if (file.Missing && !parsed.ConfigFileExplicit)
        {
            return new(current, null, []);
        }
        if (file.Error is not null)
        {
            return Fail(FileError(parsed.ConfigFile, file.Error));
        }

        Dictionary<DaemonOption, object> set = file.Settings!;
        IReadOnlyList<string>? labels = current.Labels;
        if (set.TryGetValue(DaemonOptions.Labels, out object? rawLabels))
        {
            labels = DaemonLabels.ConflictFree((string[])rawLabels, out string? conflict);
            if (labels is null)
            {
                return Fail(conflict!);
            }
        }
        // Runtimes added by flag stay known, so a default-runtime in the file may name them.
        var check = new Dictionary<DaemonOption, object>(set);
        if (parsed.Given.TryGetValue(DaemonOptions.Runtimes, out object? flagRuntimes))
        {
            check.TryAdd(DaemonOptions.Runtimes, flagRuntimes);
        }
        if (ConfigValidation.Common(check) is string invalid)
        {
            return Fail("file configuration validation failed: " + invalid);
        }

        DaemonConfig next = current with
        {
            Debug = set.TryGetValue(DaemonOptions.Debug, out object? debug) ? (bool)debug : current.Debug,
            LogLevel = set.TryGetValue(DaemonOptions.LogLevel, out object? level) ? ConfigValidation.NormalizeLogLevel((string)level) : current.LogLevel,
            Labels = labels,
        };
        var changed = new List<string>();
        if (next.Debug != current.Debug)
        {
            changed.Add("debug");
        }
        if (!next.Labels.SequenceEqual(current.Labels, StringComparer.Ordinal))
        {
            changed.Add("labels");
        }
        if (next.LogLevel != current.LogLevel)
        {
            changed.Add("log-level");
        }
        return new(next, null, changed);
    }

    /// <summary>
    /// Attributes of the daemon "reload" event. Like dockerd (daemon/reload.go), every reloadable
    /// setting is reported with its value after the reload, changed or not: "debug" as
    /// true/false and "labels" as a JSON array. "log-level" is Berth's addition. The event
    /// emitter adds "name" (the host name) itself, as dockerd's LogDaemonEventWithAttributes does.
    /// </summary>
    public static IReadOnlyDictionary<string, string> ReloadAttributes(DaemonConfig config) => new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["debug"] = config.Debug ? "true" : "false",
        ["labels"] = GoJson.MarshalStrings(config.Labels),
        ["log-level"] = config.LogLevel,
    };

    /// <summary>Usage text for --help, generated from the option table.</summary>
    public static string Usage()
    {
        var lines = new List<string> { "Usage:\tberthd [OPTIONS]", "", "A self-sufficient runtime for containers.", "", "Options:" };
        foreach (DaemonOption o in DaemonOptions.All)
        {
            string name = (o.Short is null ? "    " : $"-{o.Short}, ") + "--" + o.Flag + o.Kind switch
            {
                SettingKind.Bool => "",
                SettingKind.Int => " int",
                SettingKind.String => " string",
                SettingKind.StringList => " list",
                SettingKind.RuntimeMap => " runtime",
                _ => " pool-options",
            };
            lines.Add($"  {name,-36}  {o.Help}");
        }
        return string.Join('\n', lines) + "\n";
    }

    private static string FileError(string path, string reason) =>
        $"unable to configure the Berth daemon with file {path}: {reason}";
}
