using System.Text.Json;
using Berth.IntegrationTests.Harness;

namespace Berth.IntegrationTests.Containers;

/// <summary>docker run/ps/stop/wait/rm/inspect/rename and the default security profile, with the real CLI.</summary>
public sealed class ContainerLifecycleTests : IClassFixture<BerthDaemon>, IAsyncLifetime
{
    private readonly BerthDaemon _daemon;
    private readonly DockerCli _docker;
    private readonly IDisposable _log;

    public ContainerLifecycleTests(BerthDaemon daemon, ITestOutputHelper output)
    {
        _daemon = daemon;
        _log = daemon.LogTo(output);
        _docker = daemon.Cli(output);
    }

    public Task InitializeAsync() => ContainerTestSupport.EnsureBusyboxAsync(_docker);

    public async Task DisposeAsync()
    {
        try
        {
            await ContainerTestSupport.RemoveAllAndCheckCleanAsync(_daemon, _docker);
        }
        finally
        {
            _docker.Dispose();
            _log.Dispose();
        }
    }

    [Fact]
    public async Task RunRm_PrintsOutput_AndRemovesTheContainer()
    {
        Assert.Equal("hi\n", await _docker.RunOkAsync("run", "--rm", "busybox", "echo", "hi"));
        var err = await _docker.RunAsync("run", "--rm", "busybox", "sh", "-c", "echo oops >&2");
        Assert.Equal(0, err.ExitCode);
        Assert.Contains("oops", err.Stderr, StringComparison.Ordinal);
        Assert.Empty((await _docker.RunOkAsync("ps", "-aq")).Trim());
    }

    [Fact]
    public async Task UnknownRuntime_IsRefusedAtCreate_KnownNamesRun()
    {
        var unknown = await _docker.RunAsync("run", "--runtime", "nosuch", "busybox", "true");
        Assert.Equal(125, unknown.ExitCode);
        Assert.Contains("unknown or invalid runtime name: nosuch", unknown.Stderr, StringComparison.Ordinal);
        Assert.Empty((await _docker.RunOkAsync("ps", "-aq")).Trim());
        Assert.Equal("ok\n", await _docker.RunOkAsync("run", "--rm", "--runtime", "runc", "busybox", "echo", "ok"));
    }

    [Fact]
    public async Task ExitCodes_FollowDockerd()
    {
        Assert.Equal(7, (await _docker.RunAsync("run", "busybox", "sh", "-c", "exit 7")).ExitCode);
        var notFound = await _docker.RunAsync("run", "busybox", "nonexistent-cmd");
        Assert.Equal(127, notFound.ExitCode);
        Assert.Contains("executable file not found in $PATH", notFound.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("Error waiting", notFound.Stderr, StringComparison.Ordinal);
        Assert.Equal(126, (await _docker.RunAsync("run", "busybox", "/etc/passwd")).ExitCode);
        // dockerd keeps a container whose start failed "created", with the exit code recorded.
        string states = await _docker.RunOkAsync("ps", "-a", "--format", "{{.Command}}|{{.State}}");
        Assert.Contains("\"nonexistent-cmd\"|created", states, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Detached_PsStopWaitFilter()
    {
        string id = (await _docker.RunOkAsync("run", "-d", "--name", "sleeper", "busybox", "sleep", "100")).Trim();
        Assert.Equal(64, id.Length);
        Assert.Contains("sleeper", await _docker.RunOkAsync("ps", "--format", "{{.Names}} {{.Status}}"), StringComparison.Ordinal);
        // sleep ignores TERM as PID 1: stop needs the KILL after -t.
        var stop = await _docker.RunAsync("stop", "-t", "1", "sleeper");
        Assert.Equal(0, stop.ExitCode);
        Assert.True(stop.Elapsed < TimeSpan.FromSeconds(10), $"stop took {stop.Elapsed}");
        Assert.Equal("sleeper", (await _docker.RunOkAsync("ps", "-a", "--filter", "status=exited", "--filter", "name=sleeper", "--format", "{{.Names}}")).Trim());
        Assert.Equal("137", (await _docker.RunOkAsync("wait", "sleeper")).Trim());
        Assert.Empty((await _docker.RunOkAsync("ps", "-q")).Trim());
        Assert.Equal("sleeper", (await _docker.RunOkAsync("ps", "-a", "--filter", "exited=137", "--format", "{{.Names}}")).Trim());
    }

    [Fact]
    public async Task Remove_RunningNeedsForce()
    {
        await _docker.RunOkAsync("run", "-d", "--name", "busy", "busybox", "sleep", "100");
        var rm = await _docker.RunAsync("rm", "busy");
        Assert.NotEqual(0, rm.ExitCode);
        Assert.Contains("You cannot remove a running container", rm.Stderr, StringComparison.Ordinal);
        await _docker.RunOkAsync("rm", "-f", "busy");
        Assert.Empty((await _docker.RunOkAsync("ps", "-aq")).Trim());
        await ContainerTestSupport.AssertNoLeftoversAsync(_daemon);
    }

    [Fact]
    public async Task Inspect_ShowsTheFieldsTheCliUses_AndRenameWorks()
    {
        string id = (await _docker.RunOkAsync("create", "--name", "insp", "-e", "A=1", "-l", "tier=it", "busybox", "sh", "-c", "echo a b")).Trim();
        var c = JsonDocument.Parse(await _docker.RunOkAsync("inspect", "insp")).RootElement[0];
        Assert.Equal(id, c.GetProperty("Id").GetString());
        Assert.Equal("/insp", c.GetProperty("Name").GetString());
        Assert.Equal("sh", c.GetProperty("Path").GetString());
        Assert.Equal("echo a b", c.GetProperty("Args")[1].GetString());
        Assert.Equal("created", c.GetProperty("State").GetProperty("Status").GetString());
        Assert.Equal("overlay2", c.GetProperty("Driver").GetString());
        Assert.StartsWith("sha256:", c.GetProperty("Image").GetString(), StringComparison.Ordinal);
        Assert.Equal("busybox", c.GetProperty("Config").GetProperty("Image").GetString());
        Assert.Contains("A=1", c.GetProperty("Config").GetProperty("Env").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal("it", c.GetProperty("Config").GetProperty("Labels").GetProperty("tier").GetString());
        Assert.Equal(id[..12], c.GetProperty("Config").GetProperty("Hostname").GetString());
        Assert.True(File.Exists(c.GetProperty("HostsPath").GetString()));
        Assert.EndsWith(id + "-json.log", c.GetProperty("LogPath").GetString(), StringComparison.Ordinal);
        Assert.Equal("bridge", c.GetProperty("HostConfig").GetProperty("NetworkMode").GetString());

        await _docker.RunOkAsync("rename", "insp", "renamed");
        Assert.Equal("/renamed", (await _docker.RunOkAsync("inspect", "-f", "{{.Name}}", id)).Trim());
        Assert.Contains("No such container: insp", (await _docker.RunAsync("container", "inspect", "insp")).Stderr, StringComparison.Ordinal);
        Assert.Equal("a b\n", await _docker.RunOkAsync("start", "-a", "renamed"));
    }

    [Fact]
    public async Task Security_UserReadOnlyCapsPrivilegedAndIsolation()
    {
        Assert.Equal("1000\n", await _docker.RunOkAsync("run", "--rm", "-u", "1000:1000", "busybox", "id", "-u"));
        var touch = await _docker.RunAsync("run", "--rm", "--read-only", "busybox", "touch", "/x");
        Assert.NotEqual(0, touch.ExitCode);
        Assert.Contains("Read-only file system", touch.Stderr, StringComparison.Ordinal);
        string caps = await _docker.RunOkAsync("run", "--rm", "--cap-drop", "ALL", "busybox", "grep", "CapEff", "/proc/self/status");
        Assert.Contains("0000000000000000", caps, StringComparison.Ordinal);
        Assert.NotEqual(0, (await _docker.RunAsync("run", "--rm", "busybox", "mount", "-t", "tmpfs", "none", "/tmp")).ExitCode);
        Assert.Equal("mounted\n", await _docker.RunOkAsync("run", "--rm", "--privileged", "busybox", "sh", "-c", "mount -t tmpfs none /tmp && echo mounted"));
        // A private pid namespace: only the container's own process.
        string ps = await _docker.RunOkAsync("run", "--rm", "busybox", "ps", "-o", "pid,comm");
        string[] rows = ps.Trim().Split('\n');
        Assert.Equal(2, rows.Length);
        Assert.Contains("1 ps", rows[1], StringComparison.Ordinal);
    }
}
