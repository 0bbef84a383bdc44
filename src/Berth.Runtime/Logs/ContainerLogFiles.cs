using System.Globalization;
using Berth.Engine.Containers;
using Berth.Engine.Containers.Logs;
using Berth.Linux;

namespace Berth.Runtime.Logs;

/// <summary>
/// Where a container's monitor writes its log and how it is rotated. The limits are kept beside
/// the monitor's files (exec-root) so a restarted daemon rotates a still running container the
/// same way without the record.
/// </summary>
public static class ContainerLogFiles
{
    private const string LimitsFile = "log-limits";

    /// <summary>The k8s-file path (null: the "none" driver keeps no log) and the rotation limits.</summary>
    public static (string? Path, LogFileLimits Limits) For(ContainerRecord record)
    {
        LogSettings settings = record.HostConfig.LogConfig;
        if (settings.Type == LogDrivers.None || string.IsNullOrEmpty(record.LogPath))
        {
            return (null, LogFileLimits.Unlimited);
        }
        return (record.LogPath, LogDrivers.Limits(settings));
    }

    public static void SaveLimits(string stateDir, string logPath, LogFileLimits limits)
    {
        string text = string.Create(CultureInfo.InvariantCulture, $"{limits.MaxSize ?? 0} {limits.MaxFiles} {(limits.Compress ? 1 : 0)} {logPath}\n");
        DurableFiles.WriteAtomic(Path.Combine(stateDir, LimitsFile), System.Text.Encoding.UTF8.GetBytes(text), UnixFileMode.UserRead | UnixFileMode.UserWrite);
    }

    public static (string Path, LogFileLimits Limits)? LoadLimits(string stateDir)
    {
        string? text = Libc.ReadSmallFileUnlocked(Path.Combine(stateDir, LimitsFile));
        string[] parts = text?.TrimEnd('\n').Split(' ', 4) ?? [];
        if (parts.Length != 4
            || !long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out long maxSize)
            || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int maxFiles))
        {
            return null;
        }
        return (parts[3], new LogFileLimits(maxSize > 0 ? maxSize : null, maxFiles, parts[2] == "1"));
    }
}
