using System.Globalization;
using Berth.IntegrationTests.Harness;

namespace Berth.IntegrationTests.Containers;

/// <summary>Host-side probes for the daemon-restart and restart-policy tests.</summary>
internal static class LifecycleTestSupport
{
    /// <summary>The conmon monitoring container <paramref name="id"/> of this daemon, or null.</summary>
    public static int? ConmonPidOf(BerthDaemon daemon, string id)
    {
        foreach (string dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out int pid))
            {
                continue;
            }
            try
            {
                string[] argv = File.ReadAllText(Path.Combine(dir, "cmdline")).Split('\0');
                if (argv[0].EndsWith("/conmon", StringComparison.Ordinal) && argv.Contains(id)
                    && argv.Any(a => a.StartsWith(daemon.ExecRoot, StringComparison.Ordinal)) && IsAlive(pid))
                {
                    return pid;
                }
            }
            catch (IOException)
            {
            }
        }
        return null;
    }

    /// <summary>True for a live, non-zombie process.</summary>
    public static bool IsAlive(int pid)
    {
        try
        {
            string stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)..][0] is not ('Z' or 'X');
        }
        catch (IOException)
        {
            return false;
        }
    }

    public static async Task<int> PidOfAsync(DockerCli docker, string name) =>
        int.Parse((await docker.RunOkAsync("inspect", "-f", "{{.State.Pid}}", name)).Trim(), CultureInfo.InvariantCulture);

    public static async Task<string> StateAsync(DockerCli docker, string name) =>
        (await docker.RunOkAsync("inspect", "-f", "{{.State.Status}} {{.State.ExitCode}} {{.RestartCount}}", name)).Trim();

    public static string UnixNow(TimeSpan offset = default) =>
        ((DateTimeOffset.UtcNow + offset).ToUnixTimeMilliseconds() / 1000.0).ToString("F3", CultureInfo.InvariantCulture);

    /// <summary>Actions of one container's events between two unix times; blocks until <paramref name="until"/>.</summary>
    public static async Task<List<string>> EventActionsAsync(DockerCli docker, string since, string until, string container)
    {
        string output = await docker.RunOkAsync("events", "--since", since, "--until", until, "--filter", "container=" + container, "--format", "{{.Action}}");
        return [.. output.Split('\n', StringSplitOptions.RemoveEmptyEntries)];
    }

    /// <summary>Cleanup for tests that stop the daemon part way: start it again if needed, remove every container, check the host.</summary>
    public static async Task CleanUpAsync(BerthDaemon daemon, DockerCli docker)
    {
        if (!daemon.IsRunning)
        {
            await daemon.StartAsync();
        }
        await ContainerTestSupport.RemoveAllAndCheckCleanAsync(daemon, docker);
    }
}
