using System.Diagnostics;
using System.Globalization;
using Berth.Linux;
using Berth.Runtime.Cgroups;
using Berth.Runtime.Monitor;
using Xunit.Abstractions;

namespace Berth.IntegrationTests.Runtime;

[Collection(RuntimeTestGroup.Name)]
public sealed class ConmonRestartTests(RuntimeFixture fx, ITestOutputHelper output)
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Reattach_FromFilesOnly_ReportsRunningThenExit()
    {
        var (id, bundle, state, options) = fx.NewContainer(["sleep", "100"]);
        MonitoredContainer created = await fx.Monitor.CreateAsync(id, bundle, state, options).WaitAsync(Limit);
        fx.Track(created);
        await fx.Monitor.StartAsync(created);

        // conmon left the test process's cgroup in every hierarchy (the memory one differs here).
        IReadOnlyDictionary<string, string> mine = CgroupFs.ReadProcessCgroups(Libc.GetPid());
        IReadOnlyDictionary<string, string> its = CgroupFs.ReadProcessCgroups(created.ConmonPid);
        output.WriteLine($"test process memory cgroup {mine["memory"]}, conmon {its["memory"]}");
        foreach (string hierarchy in new[] { "memory", "pids", "name=systemd", "unified" })
        {
            Assert.Equal(fx.MonitorCgroup, its[hierarchy]);
        }

        // Forget everything in memory: only what a daemon persists survives.
        var persisted = new MonitoredContainer(id, bundle, state, 0, 0, options.ContainerCgroup, options.MonitorCgroup);
        ConmonMonitor fresh = fx.NewMonitor();
        ReattachResult r = await fresh.ReattachAsync(persisted);
        Assert.Equal(ReattachStatus.Running, r.Status);
        Assert.Equal(created.ConmonPid, r.Container.ConmonPid);
        Assert.Equal(created.Pid, r.Container.Pid);

        Task<ContainerExit> wait = fresh.WaitForExitAsync(r.Container);
        await fresh.Runtime.KillAsync(id, 9);
        Assert.Equal(137, (await wait.WaitAsync(Limit)).ExitCode);
        await fresh.CleanupAsync(r.Container);
    }

    [Fact]
    public async Task Reattach_MonitorKilled_OrphanIsKilledAndDeleted()
    {
        var (id, bundle, state, options) = fx.NewContainer(["sleep", "100"], log: false);
        MonitoredContainer c = await fx.Monitor.CreateAsync(id, bundle, state, options).WaitAsync(Limit);
        fx.Track(c);
        await fx.Monitor.StartAsync(c);
        Assert.True(Libc.Kill(c.ConmonPid, Libc.SIGKILL));
        for (int i = 0; i < 200 && ConmonMonitor.IsMonitorAlive(c.ConmonPid, id); i++)
        {
            await Task.Delay(10);
        }
        ReattachResult r = await fx.Monitor.ReattachAsync(c);
        Assert.Equal(ReattachStatus.Orphaned, r.Status);
        Assert.Null(r.Exit!.ExitCode);
        Assert.Null(await fx.Runtime.StateAsync(id));
        await fx.Monitor.CleanupAsync(c);
    }

    [Fact]
    public async Task Measure_TrueLatencyAndConmonUss()
    {
        var times = new List<double>();
        for (int i = 0; i < 23; i++)
        {
            var (id, bundle, state, options) = fx.NewContainer(["true"], log: false);
            var sw = Stopwatch.StartNew();
            MonitoredContainer c = await fx.Monitor.CreateAsync(id, bundle, state, options).WaitAsync(Limit);
            fx.Track(c);
            await fx.Monitor.StartAsync(c);
            ContainerExit exit = await fx.Monitor.WaitForExitAsync(c).WaitAsync(Limit);
            sw.Stop();
            Assert.Equal(0, exit.ExitCode);
            await fx.Monitor.CleanupAsync(c);
            if (i >= 3)
            {
                times.Add(sw.Elapsed.TotalMilliseconds);
            }
        }
        times.Sort();
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"create→start→exit `true` (20 runs): min {times[0]:F1} / median {(times[9] + times[10]) / 2:F1} / max {times[^1]:F1} ms"));

        // USS of one lone conmon counts its binary and libraries as private: measure with three alive.
        var sleepers = new List<MonitoredContainer>();
        for (int i = 0; i < 3; i++)
        {
            var (sid, sbundle, sstate, soptions) = fx.NewContainer(["sleep", "100"]);
            MonitoredContainer s = await fx.Monitor.CreateAsync(sid, sbundle, sstate, soptions).WaitAsync(Limit);
            fx.Track(s);
            await fx.Monitor.StartAsync(s);
            sleepers.Add(s);
        }
        await Task.Delay(200);
        long uss = 0, rss = 0;
        foreach (string line in File.ReadAllLines($"/proc/{sleepers[^1].ConmonPid}/smaps_rollup"))
        {
            string[] f = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (f[0] is "Private_Clean:" or "Private_Dirty:")
            {
                uss += long.Parse(f[1], CultureInfo.InvariantCulture);
            }
            else if (f[0] == "Rss:")
            {
                rss = long.Parse(f[1], CultureInfo.InvariantCulture);
            }
        }
        output.WriteLine($"conmon per container: USS {uss} KiB, RSS {rss} KiB");
        foreach (MonitoredContainer s in sleepers)
        {
            await fx.Runtime.KillAsync(s.Id, 9);
            await fx.Monitor.WaitForExitAsync(s).WaitAsync(Limit);
            await fx.Monitor.CleanupAsync(s);
        }
    }
}
