namespace Berth.Daemon.Configuration;

/// <summary>
/// The checks dockerd's config.Validate runs on a (merged or file-only) config and that
/// both load and reload share: log level, labels and hosts.
/// </summary>
internal static class ConfigValidation
{
    /// <summary>
    /// Levels dockerd accepts (validateDaemonLogConfig). The help text lists five, but
    /// "panic" and "trace" pass dockerd's check too, so configs written for it keep working.
    /// </summary>
    private static readonly string[] LogLevels = ["panic", "fatal", "error", "warn", "info", "debug", "trace"];

    public static string? Common(IReadOnlyDictionary<DaemonOption, object> settings)
    {
        if (settings.TryGetValue(DaemonOptions.LogLevel, out object? level)
            && (string)level is { Length: > 0 } text
            && !LogLevels.Contains(text.ToLowerInvariant()))
        {
            return $"invalid logging level: {text}";
        }
        if (settings.TryGetValue(DaemonOptions.Labels, out object? labels))
        {
            foreach (string label in (string[])labels)
            {
                if (DaemonLabels.Validate(label) is string error)
                {
                    return error;
                }
            }
        }
        if (settings.TryGetValue(DaemonOptions.MaxConcurrentDownloads, out object? downloads) && (int)downloads < 0)
        {
            return $"invalid max concurrent downloads: {(int)downloads}";
        }
        if (settings.TryGetValue(DaemonOptions.MaxConcurrentUploads, out object? uploads) && (int)uploads < 0)
        {
            return $"invalid max concurrent uploads: {(int)uploads}";
        }
        if (settings.TryGetValue(DaemonOptions.Hosts, out object? hosts))
        {
            foreach (string host in (string[])hosts)
            {
                string trimmed = host.Trim();
                if (trimmed.Length > 0 && HostAddress.Normalize(trimmed, out string? error) is null)
                {
                    return error;
                }
            }
        }
        if (RuntimeSettings.Validate(settings) is string runtimeError)
        {
            return runtimeError;
        }
        if (settings.TryGetValue(DaemonOptions.Dns, out object? dns))
        {
            foreach (string server in (string[])dns)
            {
                if (!IsIpAddress(server))
                {
                    return $"IP address is not correctly formatted: {server}";
                }
            }
        }
        return null;
    }

    /// <summary>net.ParseIP after trimming, as opts.ValidateIPAddress: dotted quads or IPv6 only.</summary>
    public static bool IsIpAddress(string value)
    {
        string v = value.Trim();
        return Berth.Engine.Networks.PortSpecs.NormalizeHostIp(v).Length > 0;
    }

    /// <summary>Lower case for the logger; empty means the default, as an unset value would.</summary>
    public static string NormalizeLogLevel(string level) => level.Length == 0 ? "info" : level.ToLowerInvariant();
}
