using System.Globalization;
using Berth.Engine.Errors;

namespace Berth.Engine.Containers.Logs;

/// <summary>Rotation limits of a container's log files (dockerd's json-file/local New()).</summary>
/// <param name="MaxSize">Bytes before the file is rotated; null: never rotated.</param>
/// <param name="MaxFiles">Files kept, the current one included (1: the file is cut instead of rotated).</param>
public sealed record LogFileLimits(long? MaxSize, int MaxFiles, bool Compress)
{
    public static readonly LogFileLimits Unlimited = new(null, 1, false);
}

/// <summary>
/// The log drivers berthd offers and dockerd's rules for their options (moby daemon/logs.go
/// mergeAndVerifyLogConfig, daemon/logger/factory.go ValidateLogOpts, jsonfilelog and local
/// New). Every driver that can be read is stored the same way (conmon's k8s-file log, rotated by
/// the daemon); "none" keeps no log. Pure functions.
/// </summary>
public static class LogDrivers
{
    public const string JsonFile = "json-file";
    public const string Local = "local";
    public const string None = "none";

    private static readonly HashSet<string> JsonFileKeys = new(StringComparer.Ordinal)
    {
        "max-file", "max-size", "compress", "labels", "labels-regex", "env", "env-regex", "tag",
    };

    private static readonly HashSet<string> LocalKeys = new(StringComparer.Ordinal) { "max-file", "max-size", "compress" };

    // Drivers dockerd builds in that berthd does not implement: refused by name rather than as
    // unknown plugins, so the reason is clear.
    private static readonly HashSet<string> Unimplemented = new(StringComparer.Ordinal)
    {
        "syslog", "journald", "gelf", "fluentd", "awslogs", "splunk", "etwlogs", "gcplogs", "logentries",
    };

    /// <summary>Options every driver accepts (logger.builtInLogOpts).</summary>
    private static readonly HashSet<string> BuiltIn = new(StringComparer.Ordinal) { "mode", "max-buffer-size" };

    /// <summary>
    /// Create: an empty type takes the daemon's; the daemon's options fill in the ones the
    /// container did not set when both use the same driver. Throws InvalidParameter (400).
    /// </summary>
    public static LogSettings Merge(LogSettings requested, LogSettings daemonDefault)
    {
        string type = string.IsNullOrEmpty(requested.Type) ? daemonDefault.Type : requested.Type;
        // Sorted: inspect shows the options in Go's map order.
        var config = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in requested.Config ?? new Dictionary<string, string>())
        {
            config[key] = value;
        }
        if (type == daemonDefault.Type && daemonDefault.Config is not null)
        {
            foreach (var (key, value) in daemonDefault.Config)
            {
                config.TryAdd(key, value);
            }
        }
        if (Validate(type, config) is string error)
        {
            throw DaemonException.InvalidParameter(error);
        }
        return new LogSettings(type, config);
    }

    /// <summary>ValidateLogOpts: the option names (values are checked when the logger starts); null when valid.</summary>
    public static string? Validate(string type, IReadOnlyDictionary<string, string> config)
    {
        if (type == None)
        {
            return null;
        }
        string mode = config.GetValueOrDefault("mode", "");
        if (mode is not ("" or "blocking" or "non-blocking"))
        {
            return Messages.LogModeNotSupported(mode);
        }
        if (config.TryGetValue("max-buffer-size", out string? buffer))
        {
            if (mode != "non-blocking")
            {
                return Messages.LogMaxBufferNeedsNonBlocking;
            }
            if (GoUnits.ParseSize(buffer, binary: true, out _) is string sizeError)
            {
                return Messages.LogMaxBufferInvalid(sizeError);
            }
        }
        HashSet<string>? keys = type switch
        {
            JsonFile => JsonFileKeys,
            Local => LocalKeys,
            _ => null,
        };
        if (keys is null)
        {
            return Unimplemented.Contains(type) ? Messages.LogDriverNotSupported(type) : Messages.LogDriverNotFound(type);
        }
        // Go ranges over a map in random order; the first unknown key in name order is as good.
        foreach (string key in config.Keys.Order(StringComparer.Ordinal))
        {
            if (!BuiltIn.Contains(key) && !keys.Contains(key))
            {
                return Messages.UnknownLogOpt(key, type);
            }
        }
        return null;
    }

    /// <summary>True when `docker logs` can read what the driver keeps.</summary>
    public static bool CanRead(string type) => type is JsonFile or Local;

    /// <summary>
    /// Start: the limits from the option values, with dockerd's errors wrapped as "failed to
    /// initialize logging driver: …" (System: the container stays created, as in dockerd).
    /// </summary>
    public static LogFileLimits Limits(LogSettings settings)
    {
        IReadOnlyDictionary<string, string> config = settings.Config ?? new Dictionary<string, string>();
        string? error = settings.Type == Local ? LocalLimits(config, out LogFileLimits limits) : JsonFileLimits(config, out limits);
        return error is null ? limits : throw DaemonException.System(Messages.LogDriverInitFailed(error));
    }

    private static string? JsonFileLimits(IReadOnlyDictionary<string, string> config, out LogFileLimits limits)
    {
        limits = LogFileLimits.Unlimited;
        long? maxSize = null;
        if (config.TryGetValue("max-size", out string? size))
        {
            if (GoUnits.ParseSize(size, binary: false, out long bytes) is string sizeError)
            {
                return sizeError;
            }
            if (bytes <= 0)
            {
                return Messages.LogMaxSizeNotPositive;
            }
            maxSize = bytes;
        }
        int maxFiles = 1;
        if (config.TryGetValue("max-file", out string? files))
        {
            if (!GoUnits.TryAtoi(files, out maxFiles))
            {
                return Messages.StrconvSyntax("Atoi", files);
            }
            if (maxFiles < 1)
            {
                return Messages.LogMaxFileTooSmall;
            }
        }
        bool compress = false;
        if (config.TryGetValue("compress", out string? compressText))
        {
            if (!GoUnits.TryParseBool(compressText, out compress))
            {
                return Messages.StrconvSyntax("ParseBool", compressText);
            }
            if (compress && (maxFiles == 1 || maxSize is null))
            {
                return Messages.LogCompressNeedsRotation;
            }
        }
        limits = new LogFileLimits(maxSize, maxFiles, compress);
        return null;
    }

    /// <summary>The local driver: 20 MiB × 5 files, compressed, unless told otherwise.</summary>
    private static string? LocalLimits(IReadOnlyDictionary<string, string> config, out LogFileLimits limits)
    {
        limits = LogFileLimits.Unlimited;
        long maxSize = 20L * 1024 * 1024;
        int maxFiles = 5;
        bool compress = true;
        if (config.TryGetValue("max-size", out string? size))
        {
            if (GoUnits.ParseSize(size, binary: false, out maxSize) is string sizeError)
            {
                return $"invalid value for max-size: {size}: {sizeError}";
            }
        }
        if (config.TryGetValue("max-file", out string? files) && !GoUnits.TryAtoi(files, out maxFiles))
        {
            return $"invalid value for max-file: {files}: {Messages.StrconvSyntax("Atoi", files)}";
        }
        if (config.TryGetValue("compress", out string? c) && !GoUnits.TryParseBool(c, out compress))
        {
            return $"error reading compress log option: {Messages.StrconvSyntax("ParseBool", c)}";
        }
        if (maxSize < 0)
        {
            return "max size should be a positive number";
        }
        if (maxFiles < 0)
        {
            return "max file count cannot be less than 0";
        }
        if (compress && maxFiles <= 1)
        {
            return "compression cannot be enabled when max file count is 1";
        }
        // local: 0 means unlimited for both.
        limits = new LogFileLimits(maxSize == 0 ? null : maxSize, maxFiles == 0 ? int.MaxValue : maxFiles, compress && maxSize > 0);
        return null;
    }
}

/// <summary>The Go parsers dockerd's option values go through (go-units, strconv), with their error texts.</summary>
public static class GoUnits
{
    private static readonly System.Buffers.SearchValues<char> SizeChars = System.Buffers.SearchValues.Create("0123456789. ");

    /// <summary>go-units parseSize: FromHumanSize (decimal, binary=false) or RAMInBytes (binary); the error text or null.</summary>
    public static string? ParseSize(string text, bool binary, out long bytes)
    {
        bytes = -1;
        int sep = text.AsSpan().LastIndexOfAny(SizeChars);
        if (sep < 0)
        {
            return Messages.GoUnitsSizeError(text, suffix: false);
        }
        string num = text[sep] == ' ' ? text[..sep] : text[..(sep + 1)];
        string suffix = text[(sep + 1)..];
        if (!double.TryParse(num, NumberStyles.AllowDecimalPoint | NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out double size))
        {
            return Messages.StrconvSyntax("ParseFloat", num);
        }
        if (size < 0)
        {
            return Messages.GoUnitsSizeError(text, suffix: false);
        }
        if (suffix.Length == 0)
        {
            bytes = (long)size;
            return null;
        }
        string sfx = suffix.ToLowerInvariant();
        if (sfx.Length > 3)
        {
            return Messages.GoUnitsSizeError(sfx, suffix: true);
        }
        if (sfx[0] == 'b')
        {
            if (sfx.Length > 1)
            {
                return Messages.GoUnitsSizeError(sfx, suffix: true);
            }
            bytes = (long)size;
            return null;
        }
        int power = "kmgtp".IndexOf(sfx[0], StringComparison.Ordinal) + 1;
        if (power == 0 || (sfx.Length == 2 && sfx[1] != 'b') || (sfx.Length == 3 && sfx[1..] != "ib"))
        {
            return Messages.GoUnitsSizeError(sfx, suffix: true);
        }
        bytes = (long)(size * Math.Pow(binary ? 1024 : 1000, power));
        return null;
    }

    /// <summary>strconv.Atoi: optional sign and decimal digits only.</summary>
    public static bool TryAtoi(string text, out int value) =>
        int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value) && !text.StartsWith(' ');

    /// <summary>strconv.ParseBool.</summary>
    public static bool TryParseBool(string text, out bool value)
    {
        switch (text)
        {
            case "1" or "t" or "T" or "TRUE" or "true" or "True":
                value = true;
                return true;
            case "0" or "f" or "F" or "FALSE" or "false" or "False":
                value = false;
                return true;
            default:
                value = false;
                return false;
        }
    }
}
