using Berth.IntegrationTests.Harness;

namespace Berth.IntegrationTests.Containers;

/// <summary>
/// What is left of a container's runtime once it exits: runc's state dir and the container's
/// cgroups go, whether berthd removes them itself (a stopped container with its own pid
/// namespace) or runc's delete does (a shared pid namespace, where processes the init left
/// behind must be killed first, as dockerd's shim does).
/// </summary>
public sealed class RuntimeCleanupTests(BerthDaemon daemon, ITestOutputHelper output)
    : CliTestBase<BerthDaemon>(daemon, output), IClassFixture<BerthDaemon>, IAsyncLifetime
{
    public Task InitializeAsync() => ContainerTestSupport.EnsureBusyboxAsync(Docker);

    public Task DisposeAsync() => ContainerTestSupport.RemoveAllAndCheckCleanAsync(Daemon, Docker);

    private string RuncState(string id) => Path.Combine(Daemon.ExecRoot, "runtime", "runc", id);

    private IEnumerable<string> Cgroups(string id) =>
        Directory.EnumerateDirectories("/sys/fs/cgroup").Select(h => h + Daemon.CgroupParent + "/" + id);

    [Fact]
    public async Task Exit_removes_runc_state_and_cgroups_but_keeps_the_container()
    {
        string id = (await Docker.RunOkAsync("run", "-d", "--network", "none", "busybox", "sleep", "300")).Trim();
        Assert.True(Directory.Exists(RuncState(id)), "runc state while running");
        Assert.Contains(Cgroups(id), Directory.Exists);

        await Docker.RunOkAsync("kill", id);
        Assert.Equal("137", (await Docker.RunOkAsync("wait", id)).Trim());
        await Poll.UntilAsync(() => !Directory.Exists(RuncState(id)) && !Cgroups(id).Any(Directory.Exists),
            TimeSpan.FromSeconds(10), "runc state and cgroups removed after exit",
            () => string.Join("\n", Cgroups(id).Where(Directory.Exists).Append(RuncState(id)).Where(Directory.Exists)));
        Assert.Equal("exited 137", (await Docker.RunOkAsync("inspect", "-f", "{{.State.Status}} {{.State.ExitCode}}", id)).Trim());

        // It starts again with fresh runtime state, and exits cleanly again.
        await Docker.RunOkAsync("start", id);
        Assert.Equal("running", (await Docker.RunOkAsync("inspect", "-f", "{{.State.Status}}", id)).Trim());
        Assert.True(Directory.Exists(RuncState(id)));
        await Docker.RunOkAsync("rm", "-f", id);
        await Poll.UntilAsync(() => !Directory.Exists(RuncState(id)), TimeSpan.FromSeconds(10), "runc state removed after rm -f");
    }

    [Fact]
    public async Task Shared_pid_namespace_leftovers_are_killed_at_exit()
    {
        // The init leaves a background sleep behind in the host's pid namespace; the container's
        // end kills it (runc's delete of a container without its own pid namespace).
        string name = "pidhost-" + Guid.NewGuid().ToString("N")[..8];
        string pid = (await Docker.RunOkAsync("run", "--name", name, "--pid", "host", "--network", "none", "busybox",
            "sh", "-c", "sleep 300 </dev/null >/dev/null 2>&1 & echo $!")).Trim();
        Assert.Matches("^[0-9]+$", pid);
        await Poll.UntilAsync(() => !IsLiveSleep(pid), TimeSpan.FromSeconds(10), $"leftover sleep {pid} killed");
        string id = (await Docker.RunOkAsync("inspect", "-f", "{{.Id}}", name)).Trim();
        await Poll.UntilAsync(() => !Directory.Exists(RuncState(id)) && !Cgroups(id).Any(Directory.Exists),
            TimeSpan.FromSeconds(10), "runc state and cgroups removed after exit");
        await Docker.RunOkAsync("rm", name);
    }

    private static bool IsLiveSleep(string pid)
    {
        try
        {
            string stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat.Contains("(sleep)", StringComparison.Ordinal) && !stat.Contains(") Z ", StringComparison.Ordinal);
        }
        catch (IOException)
        {
            return false;
        }
    }
}
