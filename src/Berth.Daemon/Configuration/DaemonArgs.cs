using System.CommandLine;
using System.CommandLine.Parsing;
using Berth.Engine.Configuration;

namespace Berth.Daemon.Configuration;

/// <summary>
/// The command line after parsing: only the settings the user actually gave (dockerd's
/// flags.Changed), because conflict detection and reload both depend on "was it given".
/// </summary>
internal sealed class DaemonArgs
{
    public Dictionary<DaemonOption, object> Given { get; } = [];
    public string ConfigFile { get; private set; } = DaemonConfig.DefaultConfigFile;
    public bool ConfigFileExplicit { get; private set; }
    public bool ValidateOnly { get; private set; }
    public bool ShowVersion { get; private set; }
    public bool ShowHelp { get; private set; }
    public string? Error { get; private set; }

    /// <param name="defaultConfigFile">Where daemon.json lives when --config-file is absent (tests override it).</param>
    public static DaemonArgs Parse(string[] args, string defaultConfigFile = DaemonConfig.DefaultConfigFile)
    {
        var parsed = new DaemonArgs { ConfigFile = defaultConfigFile };
        var root = new RootCommand("A self-sufficient runtime for containers.");
        // Only our own options: no default --version/--help actions and no [directives],
        // since we parse and never invoke.
        root.Options.Clear();
        root.Directives.Clear();
        var symbols = new Dictionary<DaemonOption, Option>();
        foreach (DaemonOption o in DaemonOptions.All)
        {
            string[] aliases = o.Short is null ? [] : ["-" + o.Short];
            Option option = o.Kind switch
            {
                SettingKind.Bool => new Option<bool>("--" + o.Flag, aliases),
                SettingKind.Int => new Option<int>("--" + o.Flag, aliases),
                SettingKind.String => new Option<string>("--" + o.Flag, aliases),
                _ => new Option<string[]>("--" + o.Flag, aliases) { Arity = ArgumentArity.OneOrMore, AllowMultipleArgumentsPerToken = false },
            };
            symbols[o] = option;
            root.Options.Add(option);
        }

        // "@file" response files are not a dockerd feature; a path starting with @ is just a path.
        ParseResult result = root.Parse(args, new ParserConfiguration { ResponseFileTokenReplacer = null });
        if (result.Errors.Count > 0)
        {
            parsed.Error = result.Errors[0].Message;
            return parsed;
        }

        foreach ((DaemonOption o, Option option) in symbols)
        {
            if (result.GetResult(option) is not OptionResult { Implicit: false })
            {
                continue;
            }
            object? value = o.Kind switch
            {
                SettingKind.Bool => result.GetValue((Option<bool>)option),
                SettingKind.Int => result.GetValue((Option<int>)option),
                SettingKind.String => result.GetValue((Option<string>)option) ?? "",
                SettingKind.StringList => result.GetValue((Option<string[]>)option) ?? [],
                SettingKind.StringMap => ParseMap(result.GetValue((Option<string[]>)option) ?? []),
                SettingKind.RuntimeMap => ParseRuntimes(o, result.GetValue((Option<string[]>)option) ?? [], parsed),
                _ => ParsePools(o, result.GetValue((Option<string[]>)option) ?? [], parsed),
            };
            if (parsed.Error is not null)
            {
                return parsed;
            }
            if (o.Kind == SettingKind.StringList && !CheckListValues(o, (string[])value!, parsed))
            {
                return parsed;
            }
            parsed.Given[o] = value!;
        }

        parsed.ValidateOnly = parsed.Given.Remove(DaemonOptions.Validate, out object? v) && (bool)v;
        parsed.ShowVersion = parsed.Given.Remove(DaemonOptions.Version, out v) && (bool)v;
        parsed.ShowHelp = parsed.Given.Remove(DaemonOptions.Help, out v) && (bool)v;
        if (parsed.Given.Remove(DaemonOptions.ConfigFile, out v))
        {
            parsed.ConfigFile = (string)v;
            parsed.ConfigFileExplicit = true;
        }
        return parsed;
    }

    /// <summary>pflag runs each list flag's validator as the value is set; same message shape.</summary>
    private static bool CheckListValues(DaemonOption o, string[] values, DaemonArgs parsed)
    {
        foreach (string value in values)
        {
            string? error = null;
            if (o == DaemonOptions.Hosts)
            {
                // Empty means "default" and is dropped later, as in opts.ValidateHost.
                string trimmed = value.Trim();
                if (trimmed.Length > 0)
                {
                    HostAddress.Normalize(trimmed, out error);
                }
            }
            else if (o == DaemonOptions.Labels)
            {
                error = DaemonLabels.Validate(value);
            }
            else if (o == DaemonOptions.Dns && !ConfigValidation.IsIpAddress(value))
            {
                // opts.ValidateIPAddress
                error = $"IP address is not correctly formatted: {value}";
            }
            if (error is not null)
            {
                parsed.Error = InvalidArgument(value, o, error);
                return false;
            }
        }
        return true;
    }

    /// <summary>dockerd's MapOpts: "key=value"; a value without '=' is a key with an empty value.</summary>
    private static Dictionary<string, string> ParseMap(string[] values)
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (string value in values)
        {
            int eq = value.IndexOf('=', StringComparison.Ordinal);
            map[eq < 0 ? value : value[..eq]] = eq < 0 ? "" : value[(eq + 1)..];
        }
        return map;
    }

    /// <summary>dockerd's RuntimeOpt: "name=path", the name trimmed and lower-cased; runc and repeats are refused.</summary>
    private static Dictionary<string, OciRuntimeConfig> ParseRuntimes(DaemonOption o, string[] values, DaemonArgs parsed)
    {
        var runtimes = new Dictionary<string, OciRuntimeConfig>(StringComparer.Ordinal);
        foreach (string value in values)
        {
            if (RuntimeSettings.ParseFlag(value, runtimes) is string error)
            {
                parsed.Error = InvalidArgument(value, o, error);
                return runtimes;
            }
        }
        return runtimes;
    }

    private static AddressPool[] ParsePools(DaemonOption o, string[] values, DaemonArgs parsed)
    {
        var pools = new List<AddressPool>();
        foreach (string value in values)
        {
            AddressPool? pool = AddressPoolParser.ParseFlag(value, out string? error);
            if (pool is null)
            {
                parsed.Error = InvalidArgument(value, o, error!);
                return [];
            }
            pools.Add(pool);
        }
        return [.. pools];
    }

    private static string InvalidArgument(string value, DaemonOption o, string error) =>
        $"invalid argument \"{value}\" for \"{o.Display}\" flag: {error}";

    /// <summary>A flag's value as pflag's Value.String() prints it, for conflict messages.</summary>
    public static string FlagDisplay(object value) => value switch
    {
        bool b => b ? "true" : "false",
        int i => i.ToString(System.Globalization.CultureInfo.InvariantCulture),
        string s => s,
        AddressPool[] pools => string.Join(", ", pools.Select(p => $"{p.Base} {p.Size}")),
        string[] list => "[" + string.Join(' ', list) + "]",
        // RuntimeOpt.String(): the names only (Go prints them in map order; sorted here).
        Dictionary<string, OciRuntimeConfig> runtimes => "[" + string.Join(' ', runtimes.Keys.Order(StringComparer.Ordinal)) + "]",
        Dictionary<string, string> map => "map[" + string.Join(' ', map.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => kv.Key + ":" + kv.Value)) + "]",
        _ => value.ToString() ?? "",
    };
}
