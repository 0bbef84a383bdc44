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
            // Short form, as dockerd prints its commit ("e6534b4").
            int plus = Informational.IndexOf('+', StringComparison.Ordinal);
            string commit = plus < 0 ? "unknown" : Informational[(plus + 1)..];
            return commit.Length > 7 && commit != "unknown" ? commit[..7] : commit;
        }
    }

    /// <summary>The .NET runtime the daemon runs on (reported where dockerd reports its Go version).</summary>
    public static string RuntimeVersion => $".NET {Environment.Version}";

    /// <summary>When the build ran (RFC 3339, UTC), stamped by Directory.Build.props.</summary>
    public static string BuildTime { get; } =
        typeof(BuildInfo).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .FirstOrDefault(a => a.Key == "BuildTime")?.Value ?? "";
}
