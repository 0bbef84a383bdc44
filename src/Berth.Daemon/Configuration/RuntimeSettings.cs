using System.Text.Json;
using Berth.Engine.Configuration;

namespace Berth.Daemon.Configuration;

/// <summary>
/// dockerd's rules for --add-runtime, daemon.json "runtimes" and "default-runtime" (moby
/// opts/runtime.go, daemon/config Validate, daemon/runtime_unix.go setupRuntimes), with its
/// messages. Runtimes run through a path only: containerd shims (runtimeType) do not exist here.
/// </summary>
internal static class RuntimeSettings
{
    /// <summary>One "name=path" flag value into <paramref name="into"/>; the error text without pflag's prefix.</summary>
    public static string? ParseFlag(string value, Dictionary<string, OciRuntimeConfig> into)
    {
        int eq = value.IndexOf('=', StringComparison.Ordinal);
        string name = eq < 0 ? "" : value[..eq].Trim().ToLowerInvariant();
        string path = eq < 0 ? "" : value[(eq + 1)..].Trim();
        if (name.Length == 0 || path.Length == 0)
        {
            return $"invalid runtime argument: {value}";
        }
        if (RuntimeNames.IsReserved(name))
        {
            return Reserved(name);
        }
        if (into.ContainsKey(name))
        {
            return $"runtime '{name}' was already defined";
        }
        into[name] = new OciRuntimeConfig(path);
        return null;
    }

    /// <summary>
    /// The "runtimes" object. Field names match case-insensitively and unknown fields are
    /// ignored, as Go's encoding/json does.
    /// </summary>
    public static Dictionary<string, OciRuntimeConfig>? FromJson(JsonElement runtimes, out string? error)
    {
        error = null;
        var result = new Dictionary<string, OciRuntimeConfig>(StringComparer.Ordinal);
        foreach (JsonProperty entry in runtimes.EnumerateObject())
        {
            string name = entry.Name;
            if (entry.Value.ValueKind != JsonValueKind.Object)
            {
                error = $"invalid value for \"runtimes\": runtime {name}: expected an object, got {GoJson.KindName(entry.Value)}";
                return null;
            }
            string path = "";
            string type = "";
            bool options = false;
            var args = new List<string>();
            foreach (JsonProperty field in entry.Value.EnumerateObject())
            {
                if (field.Name.Equals("path", StringComparison.OrdinalIgnoreCase) && field.Value.ValueKind == JsonValueKind.String)
                {
                    path = field.Value.GetString()!;
                }
                else if (field.Name.Equals("runtimeType", StringComparison.OrdinalIgnoreCase) && field.Value.ValueKind == JsonValueKind.String)
                {
                    type = field.Value.GetString()!;
                }
                else if (field.Name.Equals("options", StringComparison.OrdinalIgnoreCase) && field.Value.ValueKind == JsonValueKind.Object)
                {
                    options = field.Value.EnumerateObject().Any();
                }
                else if (field.Name.Equals("runtimeArgs", StringComparison.OrdinalIgnoreCase))
                {
                    if (field.Value.ValueKind == JsonValueKind.Null)
                    {
                        continue;
                    }
                    if (field.Value.ValueKind != JsonValueKind.Array || field.Value.EnumerateArray().Any(a => a.ValueKind != JsonValueKind.String))
                    {
                        error = $"invalid value for \"runtimes\": runtime {name}: \"runtimeArgs\" must be an array of strings";
                        return null;
                    }
                    args.AddRange(field.Value.EnumerateArray().Select(a => a.GetString()!));
                }
            }
            if (path.Length == 0 && type.Length == 0)
            {
                error = $"runtime {name}: either a runtimeType or a path must be configured";
                return null;
            }
            if (path.Length > 0 && type.Length > 0)
            {
                error = $"runtime {name}: cannot configure both path and runtimeType for the same runtime";
                return null;
            }
            if (type.Length > 0)
            {
                error = $"runtime {name}: runtimeType (a containerd shim) is not supported by berthd; configure a path";
                return null;
            }
            if (options)
            {
                error = $"runtime {name}: options cannot be used with a path runtime";
                return null;
            }
            result[name] = new OciRuntimeConfig(path, args);
        }
        return result;
    }

    /// <summary>
    /// config.Validate's runtime part on the merged settings: the stock names cannot be
    /// redefined, and default-runtime must name runc or a configured runtime. Names must also
    /// be usable as a directory name (each runtime keeps its state under the exec root).
    /// </summary>
    public static string? Validate(IReadOnlyDictionary<DaemonOption, object> settings)
    {
        var runtimes = settings.TryGetValue(DaemonOptions.Runtimes, out object? raw)
            ? (Dictionary<string, OciRuntimeConfig>)raw
            : [];
        foreach (string name in runtimes.Keys.Order(StringComparer.Ordinal))
        {
            if (RuntimeNames.IsReserved(name))
            {
                return Reserved(name);
            }
            if (name is "." or ".." || name.Contains('/', StringComparison.Ordinal) || name.Contains('\0', StringComparison.Ordinal))
            {
                return $"runtime name '{name}' is invalid: it names a directory under the exec root, so '/', '.' and '..' are not allowed";
            }
        }
        if (settings.TryGetValue(DaemonOptions.DefaultRuntime, out object? d) && (string)d is { Length: > 0 } defaultRuntime
            && !RuntimeNames.IsReserved(defaultRuntime) && !runtimes.ContainsKey(defaultRuntime))
        {
            return $"specified default runtime '{defaultRuntime}' does not exist";
        }
        return null;
    }

    private static string Reserved(string name) => $"runtime name '{name}' is reserved";
}
