using Berth.IntegrationTests.Harness;

namespace Berth.IntegrationTests.Containers;

/// <summary>busybox:latest from the harness rootfs tar, and the leftover checks every container test ends with.</summary>
internal static class ContainerTestSupport
{
    public static async Task EnsureBusyboxAsync(DockerCli docker)
    {
        if ((await docker.RunAsync("image", "inspect", "busybox:latest")).Succeeded)
        {
            return;
        }
        string dir = Directory.CreateTempSubdirectory("berth-ctr-").FullName;
        try
        {
            string tar = TestImages.BusyboxRootfsTar(Path.Combine(dir, "rootfs.tar"));
            await docker.RunOkAsync("import", tar, "busybox:latest");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>Removes every container (pass or fail), then asserts nothing of them is left on the host.</summary>
    public static async Task RemoveAllAndCheckCleanAsync(BerthDaemon daemon, DockerCli docker)
    {
        string ids = (await docker.RunAsync("ps", "-aq")).Stdout.Trim();
        if (ids.Length > 0)
        {
            await docker.RunAsync(["rm", "-f", .. ids.Split('\n', StringSplitOptions.RemoveEmptyEntries)]);
        }
        await AssertNoLeftoversAsync(daemon);
    }

    public static async Task AssertNoLeftoversAsync(BerthDaemon daemon)
    {
        await Poll.UntilAsync(() => Leftovers(daemon).Count == 0, TimeSpan.FromSeconds(10), "no container leftovers",
            () => string.Join("\n", Leftovers(daemon)));
    }

    private static List<string> Leftovers(BerthDaemon daemon)
    {
        var found = new List<string>();
        found.AddRange(File.ReadAllLines("/proc/mounts").Where(l => l.Contains(daemon.ExecRoot + "/containers/", StringComparison.Ordinal)).Select(l => "mount: " + l));
        foreach (string pid in Directory.EnumerateDirectories("/proc").Select(Path.GetFileName).Where(n => n!.All(char.IsAsciiDigit))!)
        {
            try
            {
                string cmdline = File.ReadAllText($"/proc/{pid}/cmdline");
                if (cmdline.StartsWith("/usr/bin/conmon", StringComparison.Ordinal) && cmdline.Contains(daemon.ExecRoot, StringComparison.Ordinal)
                    && !File.ReadAllText($"/proc/{pid}/stat").Contains(") Z ", StringComparison.Ordinal))
                {
                    found.Add("conmon: " + pid);
                }
            }
            catch (IOException)
            {
            }
        }
        found.AddRange(NetworkLeftovers.Namespaces(daemon.ExecRoot).Select(p => "netns: " + p));
        found.AddRange(NetworkLeftovers.Links(daemon.BridgeName, daemon.ChainPrefix).Where(l => l.StartsWith("veth", StringComparison.Ordinal))
            .Select(l => "veth: " + l));
        string runtimes = Path.Combine(daemon.ExecRoot, "runtime");
        if (Directory.Exists(runtimes))
        {
            found.AddRange(Directory.EnumerateDirectories(runtimes).SelectMany(Directory.EnumerateDirectories)
                .Where(d => !Path.GetFileName(d).StartsWith('.')).Select(d => "runtime state: " + d));
        }
        foreach (string hierarchy in Directory.EnumerateDirectories("/sys/fs/cgroup"))
        {
            string parent = hierarchy + daemon.CgroupParent;
            if (Directory.Exists(parent))
            {
                found.AddRange(Directory.EnumerateDirectories(parent).Select(d => "cgroup: " + d));
            }
        }
        return found;
    }
}
