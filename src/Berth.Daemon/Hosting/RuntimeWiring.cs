using System.Diagnostics;
using Berth.Engine.Configuration;
using Berth.Runtime.Monitor;
using Berth.Runtime.Oci;
using Microsoft.Extensions.Logging;

namespace Berth.Daemon.Hosting;

/// <summary>
/// One conmon monitor per OCI runtime: the stock runc, and each --add-runtime / "runtimes"
/// entry. A bare path is looked up on PATH (conmon needs an absolute one); each runtime's
/// --version says what it is (crun needs spec and launch adjustments, see RuntimeLauncher).
/// </summary>
internal static partial class RuntimeWiring
{
    public static RuntimeMonitors Build(DaemonConfig config, ILogger log)
    {
        var options = new ConmonMonitorOptions
        {
            ExecRoot = config.ExecRoot,
            ConmonPath = ContainerWiring.FindExecutable("conmon", "/usr/bin/conmon"),
        };
        string? unified = RuntimeLauncher.ReadUnifiedControllers();
        ConmonMonitor Make(string name, string binary, IReadOnlyList<string> args)
        {
            RuntimeTraits traits = ProbeTraits(binary);
            IReadOnlyList<string>? launcher = RuntimeLauncher.NeedsHiddenCgroup2(traits, unified)
                ? RuntimeLauncher.HiddenCgroup2(ContainerWiring.FindExecutable("unshare", "/usr/bin/unshare"), "/bin/sh", binary)
                : null;
            return new ConmonMonitor(new RuncRuntime(name, binary, config.ExecRoot, runtimeArgs: args, launcher: launcher) { Traits = traits }, options);
        }

        var runc = new ConmonMonitor(new RuncRuntime(RuntimeNames.Runc, ContainerWiring.FindExecutable("runc", "/usr/sbin/runc"), config.ExecRoot), options);
        // A runtime dropped from the config keeps its containers reachable (stop, cleanup) when
        // its name is a binary on PATH; nothing new starts on it.
        var monitors = new RuntimeMonitors(runc, name => LookPath(name) is { } path ? Make(name, path, []) : null);
        foreach ((string name, OciRuntimeConfig runtime) in config.Runtimes.OrderBy(r => r.Key, StringComparer.Ordinal))
        {
            if (LookPath(runtime.Path) is { } path)
            {
                monitors.Add(name, Make(name, path, runtime.Args));
            }
            else
            {
                LogRuntimeMissing(log, name, runtime.Path);
                monitors.AddMissing(name, runtime.Path);
            }
        }
        return monitors;
    }

    /// <summary>exec.LookPath: a path with a slash as given (made absolute), a bare name on PATH; null when no such file.</summary>
    internal static string? LookPath(string path)
    {
        if (path.Contains('/', StringComparison.Ordinal))
        {
            string full = Path.GetFullPath(path);
            return File.Exists(full) ? full : null;
        }
        foreach (string dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            string candidate = Path.Combine(dir, path);
            if (Path.IsPathFullyQualified(candidate) && File.Exists(candidate))
            {
                return candidate;
            }
        }
        return null;
    }

    /// <summary>`binary --version`; an unknown implementation (no output) is driven as runc is.</summary>
    private static RuntimeTraits ProbeTraits(string binary)
    {
        try
        {
            var psi = new ProcessStartInfo(binary) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            psi.ArgumentList.Add("--version");
            using var process = Process.Start(psi);
            if (process is null)
            {
                return new RuntimeTraits("", null);
            }
            string output = process.StandardOutput.ReadToEnd();
            process.WaitForExit(5000);
            return RuntimeTraits.FromVersionOutput(output);
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return new RuntimeTraits("", null);
        }
    }

    [LoggerMessage(EventId = 431, Level = LogLevel.Warning, Message = "runtime {Name}: {Path} not found; containers cannot start on it")]
    private static partial void LogRuntimeMissing(ILogger log, string name, string path);
}
