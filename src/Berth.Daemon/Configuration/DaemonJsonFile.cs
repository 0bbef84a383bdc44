using System.Text;
using System.Text.Json;
using Berth.Engine.Configuration;

namespace Berth.Daemon.Configuration;

/// <summary>Outcome of reading daemon.json; <see cref="Error"/> is the reason without the file prefix.</summary>
internal sealed record DaemonFileResult(bool Missing, Dictionary<DaemonOption, object>? Settings, string? Error);

/// <summary>
/// Reads daemon.json without reflection (NativeAOT) and applies dockerd's checks in its order
/// (moby daemon/config/config.go getConflictFreeConfiguration): decode, unknown keys, keys
/// also given as flags, then value types.
/// </summary>
internal static class DaemonJsonFile
{
    public static DaemonFileResult Read(string path, DaemonArgs args)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return new(true, null, $"open {path}: no such file or directory");
        }
        catch (UnauthorizedAccessException)
        {
            return new(false, null, $"open {path}: permission denied");
        }
        catch (IOException e)
        {
            return new(false, null, $"open {path}: {e.Message}");
        }

        // dockerd honours a UTF-8 or UTF-16LE byte order mark (files written by Windows tools).
        string text = bytes switch
        {
            [0xEF, 0xBB, 0xBF, ..] => Encoding.UTF8.GetString(bytes, 3, bytes.Length - 3),
            [0xFF, 0xFE, ..] => Encoding.Unicode.GetString(bytes, 2, bytes.Length - 2),
            _ => Encoding.UTF8.GetString(bytes),
        };
        if (string.IsNullOrWhiteSpace(text))
        {
            return new(false, [], null);
        }

        var raw = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        try
        {
            using JsonDocument doc = JsonDocument.Parse(text);
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
            {
                return new(false, null, $"invalid JSON: cannot unmarshal {GoJson.KindName(doc.RootElement)} into a configuration object");
            }
            foreach (JsonProperty p in doc.RootElement.EnumerateObject())
            {
                raw[p.Name] = p.Value.Clone(); // last duplicate wins, as with Go maps
            }
        }
        catch (JsonException e)
        {
            return new(false, null, "invalid JSON: " + OneLine(e.Message));
        }

        string[] unknown = raw.Keys.Where(k => !DaemonOptions.ByKey.ContainsKey(k)).Order(StringComparer.Ordinal).ToArray();
        if (unknown.Length > 0)
        {
            return new(false, null, "the following directives don't match any configuration option: " + string.Join(", ", unknown));
        }

        // pflag visits flags in name order, so conflicts are listed by flag name.
        string[] conflicts = args.Given
            .Where(g => g.Key.Key is not null && raw.ContainsKey(g.Key.Key))
            .OrderBy(g => g.Key.Flag, StringComparer.Ordinal)
            .Select(g => $"{g.Key.Key}: (from flag: {DaemonArgs.FlagDisplay(g.Value)}, from file: {GoJson.Format(raw[g.Key.Key!])})")
            .ToArray();
        if (conflicts.Length > 0)
        {
            return new(false, null, "the following directives are specified both as a flag and in the configuration file: " + string.Join(", ", conflicts));
        }

        var settings = new Dictionary<DaemonOption, object>();
        foreach ((string key, JsonElement value) in raw.OrderBy(r => r.Key, StringComparer.Ordinal))
        {
            DaemonOption option = DaemonOptions.ByKey[key];
            object? converted = Convert(option, value, out string? error);
            if (converted is null)
            {
                return new(false, null, error);
            }
            settings[option] = converted;
        }
        return new(false, settings, null);
    }

    private static object? Convert(DaemonOption option, JsonElement value, out string? error)
    {
        error = null;
        switch (option.Kind)
        {
            case SettingKind.Bool when value.ValueKind is JsonValueKind.True or JsonValueKind.False:
                return value.GetBoolean();
            case SettingKind.Int when value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out int number):
                return number;
            case SettingKind.String when value.ValueKind == JsonValueKind.String:
                return value.GetString()!;
            case SettingKind.StringList when value.ValueKind == JsonValueKind.Array
                && value.EnumerateArray().All(e => e.ValueKind == JsonValueKind.String):
                return value.EnumerateArray().Select(e => e.GetString()!).ToArray();
            case SettingKind.StringMap when value.ValueKind == JsonValueKind.Object
                && value.EnumerateObject().All(p => p.Value.ValueKind == JsonValueKind.String):
                return value.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!, StringComparer.Ordinal);
            case SettingKind.PoolList when value.ValueKind == JsonValueKind.Array:
                return ConvertPools(option, value, out error);
            case SettingKind.RuntimeMap when value.ValueKind == JsonValueKind.Object:
                return RuntimeSettings.FromJson(value, out error);
        }
        string expected = option.Kind switch
        {
            SettingKind.Bool => "a boolean",
            SettingKind.Int => "an integer",
            SettingKind.String => "a string",
            SettingKind.StringList => "an array of strings",
            SettingKind.StringMap => "an object of strings",
            SettingKind.RuntimeMap => "an object of {\"path\": string, \"runtimeArgs\": [string]} objects",
            _ => "an array of {\"base\": string, \"size\": number} objects",
        };
        error = $"invalid value for \"{option.Key}\": expected {expected}, got {GoJson.KindName(value)}";
        return null;
    }

    private static AddressPool[]? ConvertPools(DaemonOption option, JsonElement array, out string? error)
    {
        error = null;
        var pools = new List<AddressPool>();
        foreach (JsonElement item in array.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Object)
            {
                error = $"invalid value for \"{option.Key}\": expected an object, got {GoJson.KindName(item)}";
                return null;
            }
            string poolBase = "";
            int size = 0;
            // Go's encoding/json matches field names case-insensitively and ignores unknown ones.
            foreach (JsonProperty p in item.EnumerateObject())
            {
                if (p.Name.Equals("base", StringComparison.OrdinalIgnoreCase))
                {
                    if (p.Value.ValueKind != JsonValueKind.String)
                    {
                        error = $"invalid value for \"{option.Key}\": \"base\" must be a string, got {GoJson.KindName(p.Value)}";
                        return null;
                    }
                    poolBase = p.Value.GetString()!;
                }
                else if (p.Name.Equals("size", StringComparison.OrdinalIgnoreCase))
                {
                    if (p.Value.ValueKind != JsonValueKind.Number || !p.Value.TryGetInt32(out size))
                    {
                        error = $"invalid value for \"{option.Key}\": \"size\" must be an integer, got {GoJson.Format(p.Value)}";
                        return null;
                    }
                }
            }
            pools.Add(new AddressPool(poolBase, size));
        }
        return [.. pools];
    }

    private static string OneLine(string message) => message.ReplaceLineEndings(" ");
}
