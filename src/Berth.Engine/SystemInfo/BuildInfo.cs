using System.Reflection;

namespace Berth.Engine.SystemInfo;

/// <summary>Berth's own version, taken from the assembly metadata the build stamps.</summary>
public static class BuildInfo
{
    private static readonly string Informational =
        typeof(BuildInfo).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0";

    /// <summary>Semantic version without build metadata, e.g. "0.1.0".</summary>
    public static string Version => Informational.Split('+')[0];

    /// <summary>The git commit the binary was built from, or "unknown".</summary>
    public static string GitCommit
    {
        get
        {
            int plus = Informational.IndexOf('+', StringComparison.Ordinal);
            return plus < 0 ? "unknown" : Informational[(plus + 1)..];
        }
    }

    /// <summary>The .NET runtime the daemon runs on (reported where dockerd reports its Go version).</summary>
    public static string RuntimeVersion => $".NET {Environment.Version}";

    public static string BuildTime { get; } = File.Exists(Environment.ProcessPath)
        ? File.GetLastWriteTimeUtc(Environment.ProcessPath!).ToString("yyyy-MM-ddTHH:mm:ss.000000000+00:00", System.Globalization.CultureInfo.InvariantCulture)
        : "";
}
