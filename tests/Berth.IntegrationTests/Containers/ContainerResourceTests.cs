using System.Globalization;
using System.Text.Json;
using Berth.IntegrationTests.Harness;

namespace Berth.IntegrationTests.Containers;

/// <summary>
/// Resource limits on the real cgroup v1 hierarchy: create, docker update, validation, the pids
/// limit, docker stats and the OOM kill, read back from the cgroup files.
/// </summary>
public sealed class ContainerResourceTests : CliTestBase<BerthDaemon>, IClassFixture<BerthDaemon>, IAsyncLifetime
{
    private const long MiB = 1024 * 1024;

    public ContainerResourceTests(BerthDaemon daemon, ITestOutputHelper output)
        : base(daemon, output)
    {
    }

    public Task InitializeAsync() => ContainerTestSupport.EnsureBusyboxAsync(Docker);

    public Task DisposeAsync() => ContainerTestSupport.RemoveAllAndCheckCleanAsync(Daemon, Docker);

    private string CgroupFile(string controller, string id, string file) =>
        File.ReadAllText($"/sys/fs/cgroup/{controller}{Daemon.CgroupParent}/{id}/{file}").Trim();

    private async Task<string> RunDetachedAsync(params string[] args) => (await Docker.RunOkAsync(["run", "-d", .. args])).Trim();

    private async Task<JsonElement> InspectAsync(string id) =>
        JsonDocument.Parse(await Docker.RunOkAsync("inspect", id)).RootElement[0].Clone();

    [Fact]
    public async Task MemoryLimit_InCgroupAndInspect()
    {
        string id = await RunDetachedAsync("-m", "32m", "busybox", "sleep", "1000");
        JsonElement host = (await InspectAsync(id)).GetProperty("HostConfig");
        Assert.Equal(32 * MiB, host.GetProperty("Memory").GetInt64());
        Assert.Equal(64 * MiB, host.GetProperty("MemorySwap").GetInt64()); // dockerd's default: twice the memory
        Assert.False(host.GetProperty("OomKillDisable").GetBoolean());
        Assert.Equal((32 * MiB).ToString(CultureInfo.InvariantCulture), CgroupFile("memory", id, "memory.limit_in_bytes"));
        Assert.Equal((64 * MiB).ToString(CultureInfo.InvariantCulture), CgroupFile("memory", id, "memory.memsw.limit_in_bytes"));
    }

    [Fact]
    public async Task CgroupParent_PlacesTheContainersCgroup()
    {
        string parent = Daemon.CgroupParent + "-custom";
        string id = await RunDetachedAsync("--cgroup-parent", parent, "-m", "16m", "busybox", "sleep", "1000");
        Assert.Equal(parent, (await InspectAsync(id)).GetProperty("HostConfig").GetProperty("CgroupParent").GetString());
        Assert.Equal((16 * MiB).ToString(CultureInfo.InvariantCulture),
            File.ReadAllText($"/sys/fs/cgroup/memory{parent}/{id}/memory.limit_in_bytes").Trim());
        // stats and update find it there too
        Assert.EndsWith("/ 16MiB", (await Docker.RunOkAsync("stats", "--no-stream", "--format", "{{.MemUsage}}", id)).Trim(), StringComparison.Ordinal);
        await Docker.RunOkAsync("update", "--pids-limit", "7", id);
        Assert.Equal("7", File.ReadAllText($"/sys/fs/cgroup/pids{parent}/{id}/pids.max").Trim());
        await Docker.RunOkAsync("rm", "-f", id);
        await Poll.UntilAsync(() => !Directory.Exists($"/sys/fs/cgroup/memory{parent}/{id}"), TimeSpan.FromSeconds(10), "the custom cgroup removed");
    }

    [Fact]
    public async Task Update_MemoryAndCpus_TakeEffectOnTheRunningContainer()
    {
        string id = await RunDetachedAsync("-m", "32m", "busybox", "sleep", "1000");
        await Docker.RunOkAsync("update", "--memory", "64m", "--cpus", "0.5", id);
        Assert.Equal((64 * MiB).ToString(CultureInfo.InvariantCulture), CgroupFile("memory", id, "memory.limit_in_bytes"));
        Assert.Equal("50000", CgroupFile("cpu", id, "cpu.cfs_quota_us"));
        Assert.Equal("100000", CgroupFile("cpu", id, "cpu.cfs_period_us"));
        JsonElement host = (await InspectAsync(id)).GetProperty("HostConfig");
        Assert.Equal(500_000_000, host.GetProperty("NanoCpus").GetInt64());
        Assert.Equal(64 * MiB, host.GetProperty("Memory").GetInt64());

        await Docker.RunOkAsync("update", "--pids-limit", "30", "--cpu-shares", "512", id);
        Assert.Equal("30", CgroupFile("pids", id, "pids.max"));
        Assert.Equal("512", CgroupFile("cpu", id, "cpu.shares"));

        var conflict = await Docker.RunAsync("update", "--cpu-period", "50000", id);
        Assert.NotEqual(0, conflict.ExitCode);
        Assert.Contains("Conflicting options: CPU Period cannot be updated as NanoCPUs has already been set", conflict.Stderr, StringComparison.Ordinal);
        var above = await Docker.RunAsync("update", "--memory", "256m", id);
        Assert.Contains("Memory limit should be smaller than already set memoryswap limit", above.Stderr, StringComparison.Ordinal);
        Assert.Equal((64 * MiB).ToString(CultureInfo.InvariantCulture), CgroupFile("memory", id, "memory.limit_in_bytes"));

        // A stopped container keeps the new values for its next start.
        await Docker.RunOkAsync("stop", "-t", "0", id);
        await Docker.RunOkAsync("update", "--cpus", "1.5", id);
        await Docker.RunOkAsync("start", id);
        Assert.Equal("150000", CgroupFile("cpu", id, "cpu.cfs_quota_us"));
    }

    [Fact]
    public async Task Validation_DockerdsErrors_NothingCreated()
    {
        int before = (await Docker.RunOkAsync("ps", "-aq")).Split('\n', StringSplitOptions.RemoveEmptyEntries).Length;
        (string[] Args, string Error)[] cases =
        [
            (["-m", "4m"], "Minimum memory limit allowed is 6MB"),
            (["--cpus", "0.5", "--cpu-period", "100000"], "Conflicting options: Nano CPUs and CPU Period cannot both be set"),
            (["--cpuset-cpus", "99"], "Requested CPUs are not available - requested 99"),
            (["--cpuset-cpus", "1-x"], "Invalid value 1-x for cpuset cpus: invalid format: 1-x"),
            (["--cpus", "64"], "range of CPUs is from 0.01 to"),
            (["--memory-swap", "100m"], "You should always set the Memory limit when using Memoryswap limit, see usage"),
            (["--health-interval", "1us", "--health-cmd", "true"], "Interval in Healthcheck cannot be less than 1ms"),
        ];
        foreach ((string[] args, string error) in cases)
        {
            var r = await Docker.RunAsync(["run", "--rm", .. args, "busybox", "true"]);
            Assert.NotEqual(0, r.ExitCode);
            Assert.Contains(error, r.Stderr, StringComparison.Ordinal);
        }
        Assert.Equal(before, (await Docker.RunOkAsync("ps", "-aq")).Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
    }

    [Fact]
    public async Task BlkioWeight_WithoutKernelSupport_IsAWarning()
    {
        var r = await Docker.RunAsync("run", "--rm", "--blkio-weight", "300", "busybox", "true");
        Assert.Equal(0, r.ExitCode);
        const string warning = "Your kernel does not support Block I/O weight or the cgroup is not mounted. Weight discarded.";
        // This machine's kernel has no blkio.weight (BFQ without the weight file); elsewhere it is applied.
        if (File.Exists("/sys/fs/cgroup/blkio/blkio.weight"))
        {
            Assert.DoesNotContain(warning, r.Stderr, StringComparison.Ordinal);
        }
        else
        {
            Assert.Contains(warning, r.Stderr, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task PidsLimit_ContainsAForkBomb()
    {
        // The subshell forks until the kernel refuses (ash then exits); init waits by exec'ing sleep.
        string id = await RunDetachedAsync("--pids-limit", "20", "busybox", "sh", "-c",
            "(while true; do sleep 1000 & done) 2>/dev/null; exec sleep 1000");
        Assert.Equal("20", CgroupFile("pids", id, "pids.max"));
        await Poll.UntilAsync(() => PidsEventsMax(id) > 0, TimeSpan.FromSeconds(20), "forks refused by the pids cgroup");
        Assert.InRange(int.Parse(CgroupFile("pids", id, "pids.current"), CultureInfo.InvariantCulture), 2, 20);
        // berthd still answers, and the container still runs.
        await Docker.RunOkAsync("version");
        Assert.Equal("running", (await InspectAsync(id)).GetProperty("State").GetProperty("Status").GetString());
        Assert.Equal(20, (await InspectAsync(id)).GetProperty("HostConfig").GetProperty("PidsLimit").GetInt32());
        string pids = (await Docker.RunOkAsync("stats", "--no-stream", "--format", "{{.PIDs}}", id)).Trim();
        Assert.InRange(int.Parse(pids, CultureInfo.InvariantCulture), 2, 20);
    }

    /// <summary>pids.events "max N": forks the limit refused.</summary>
    private int PidsEventsMax(string id) =>
        int.Parse(CgroupFile("pids", id, "pids.events").Split(' ')[1], CultureInfo.InvariantCulture);

    [Fact]
    public async Task Stats_NoStreamRow_BusyLoopShowsCpu_AndMemoryLimit()
    {
        string id = await RunDetachedAsync("--name", "busy", "-m", "64m", "busybox", "sh", "-c", "while true; do :; done");
        string row = (await Docker.RunOkAsync("stats", "--no-stream", "--format", "{{.Name}}|{{.CPUPerc}}|{{.MemUsage}}|{{.PIDs}}", "busy")).Trim();
        string[] cells = row.Split('|');
        Assert.Equal("busy", cells[0]);
        double cpu = double.Parse(cells[1].TrimEnd('%'), CultureInfo.InvariantCulture);
        Assert.True(cpu > 5, $"a busy loop should show CPU use, got {row}");
        Assert.EndsWith("/ 64MiB", cells[2], StringComparison.Ordinal);
        Assert.Equal("1", cells[3]);

        using RawHttp http = Daemon.Http();
        JsonElement one = (await http.GetAsync($"/containers/{id}/stats?stream=false&one-shot=true")).Json();
        Assert.Equal("/busy", one.GetProperty("name").GetString());
        Assert.Equal(64 * MiB, one.GetProperty("memory_stats").GetProperty("limit").GetInt64());
        Assert.True(one.GetProperty("cpu_stats").GetProperty("online_cpus").GetInt32() > 0);
        Assert.True(one.GetProperty("cpu_stats").GetProperty("system_cpu_usage").GetUInt64() > 0);
        Assert.Equal("0001-01-01T00:00:00Z", one.GetProperty("preread").GetString());
        Assert.True(one.GetProperty("memory_stats").GetProperty("stats").TryGetProperty("total_inactive_file", out _));
        // the default bridge network's interface, read from the init's /proc/PID/net/dev (lo is left out)
        Assert.Equal(["eth0"], one.GetProperty("networks").EnumerateObject().Select(p => p.Name));
        string isolated = await RunDetachedAsync("--network", "none", "busybox", "sleep", "1000");
        Assert.False((await http.GetAsync($"/containers/{isolated}/stats?stream=false&one-shot=true")).Json().TryGetProperty("networks", out _));

        var both = await http.GetAsync($"/containers/{id}/stats?stream=true&one-shot=true");
        Assert.Equal(400, both.StatusCode);
        Assert.Equal(404, (await http.GetAsync("/containers/nope/stats?stream=false")).StatusCode);

        // stream: an object per second, the second with the first's cpu as precpu.
        using var response = await http.Client.GetAsync($"http://localhost/containers/{id}/stats", HttpCompletionOption.ResponseHeadersRead);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        JsonElement first = JsonDocument.Parse((await reader.ReadLineAsync())!).RootElement;
        JsonElement second = JsonDocument.Parse((await reader.ReadLineAsync())!).RootElement;
        Assert.Equal(first.GetProperty("read").GetString(), second.GetProperty("preread").GetString());
        Assert.Equal(first.GetProperty("cpu_stats").GetProperty("cpu_usage").GetProperty("total_usage").GetUInt64(),
            second.GetProperty("precpu_stats").GetProperty("cpu_usage").GetProperty("total_usage").GetUInt64());

        await Docker.RunOkAsync("kill", id);
        JsonElement stopped = (await http.GetAsync($"/containers/{id}/stats?stream=false")).Json();
        Assert.Equal("0001-01-01T00:00:00Z", stopped.GetProperty("read").GetString());
        Assert.Empty(stopped.GetProperty("memory_stats").EnumerateObject());
    }

    [Fact]
    public async Task Oom_MemoryHogIsKilled_OomKilledAndEvent()
    {
        var run = await Docker.RunAsync("run", "--name", "hog", "-m", "8m", "busybox", "sh", "-c", "x=a; while true; do x=$x$x; done");
        Assert.Equal(137, run.ExitCode);
        JsonElement state = (await InspectAsync("hog")).GetProperty("State");
        Assert.True(state.GetProperty("OOMKilled").GetBoolean());
        Assert.Equal(137, state.GetProperty("ExitCode").GetInt32());
        string[] actions = await Poll.ForAsync(
            async () => (await Docker.RunOkAsync("events", "--since", "1m", "--until", "0s", "--filter", "container=hog", "--format", "{{.Action}}"))
                .Split('\n', StringSplitOptions.RemoveEmptyEntries),
            a => a.Contains("die"), TimeSpan.FromSeconds(10), "die event");
        Assert.Equal(1, actions.Count(a => a == "oom"));
        Assert.True(Array.IndexOf(actions, "oom") < Array.IndexOf(actions, "die"), string.Join(",", actions));
    }
}
