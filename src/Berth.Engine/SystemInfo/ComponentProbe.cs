using System.Diagnostics;

namespace Berth.Engine.SystemInfo;

/// <summary>A companion binary's version as /version reports it (runc, conmon).</summary>
public sealed record ComponentVersion(string Name, string Version, IReadOnlyDictionary<string, string> Details);

/// <summary>
/// Reads runc's and conmon's versions from the binaries themselves, once, in the background:
/// start-up must not wait for two process spawns.
/// </summary>
public sealed class ComponentProbe
{
    private readonly Lazy<Task<IReadOnlyList<ComponentVersion>>> _versions;

    public ComponentProbe(string runtimeName, string runtimePath, string conmonPath)
    {
        _versions = new(() => Task.Run(() => Probe(runtimeName, runtimePath, conmonPath)));
    }

    /// <summary>Starts probing now so the first /version does not pay for it.</summary>
    public void Warm() => _ = _versions.Value;

    public Task<IReadOnlyList<ComponentVersion>> GetAsync() => _versions.Value;

    private static IReadOnlyList<ComponentVersion> Probe(string runtimeName, string runtimePath, string conmonPath)
    {
        var list = new List<ComponentVersion>(2);
        if (Run(runtimePath) is { } runtimeOut)
        {
            list.Add(ParseVersionOutput(runtimeName, runtimeOut));
        }
        if (Run(conmonPath) is { } conmonOut)
        {
            list.Add(ParseVersionOutput("conmon", conmonOut));
        }
        return list;
    }

    /// <summary>
    /// Parses "runc version 1.1.5+ds1\ncommit: v1.1.5\nspec: 1.0.2-dev" (runc, crun, conmon all
    /// print this shape) into a version and a GitCommit detail, as dockerd shows them.
    /// </summary>
    public static ComponentVersion ParseVersionOutput(string name, string output)
    {
        string version = "unknown";
        string commit = "unknown";
        foreach (var raw in output.AsSpan().EnumerateLines())
        {
            var line = raw.Trim();
            int marker = line.IndexOf(" version ");
            if (version == "unknown" && marker >= 0)
            {
                version = line[(marker + " version ".Length)..].Trim().ToString();
            }
            else if (line.StartsWith("commit:"))
            {
                commit = line["commit:".Length..].Trim().ToString();
            }
        }
        return new ComponentVersion(name, version, new Dictionary<string, string> { ["GitCommit"] = commit });
    }

    private static string? Run(string binary)
    {
        try
        {
            using var process = Process.Start(new ProcessStartInfo(binary, "--version")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            });
            if (process is null)
            {
                return null;
            }
            string output = process.StandardOutput.ReadToEnd();
            return process.WaitForExit(5000) && process.ExitCode == 0 ? output : null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null; // not installed: /version simply omits the component
        }
    }
}
