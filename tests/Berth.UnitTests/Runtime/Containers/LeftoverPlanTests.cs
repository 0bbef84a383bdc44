using Berth.Runtime.Containers;

namespace Berth.UnitTests.Runtime.Containers;

public sealed class LeftoverPlanTests
{
    private const string Dir = "/run/b/containers";
    private static readonly string Live = new('a', 64);
    private static readonly string Orphan = new('b', 64);

    [Fact]
    public void OnlyContainersWithoutALiveMonitor_AndOnlyIdShapedNames_AreRemoved()
    {
        var found = new RuntimeLeftovers
        {
            Bundles = [Live, Orphan, "not-an-id", Orphan.ToUpperInvariant()],
            ExitFiles = [Orphan, Live],
            SocketLinks = [Orphan],
            RuntimeContainers = [Live, Orphan],
            Mounts = [$"{Dir}/{Live}/rootfs", $"{Dir}/{Orphan}/rootfs", $"{Dir}/{Orphan}/rootfs/proc", "/run/b/other", $"{Dir}/x/rootfs"],
            Monitors = [new MonitorProcess(10, Live), new MonitorProcess(11, Orphan)],
            Cgroups = [Live, "conmon-" + Live, Orphan, "conmon-" + Orphan, "conmon", "custom"],
        };
        var plan = LeftoverPlan.For(found, new HashSet<string> { Live }, Dir);
        Assert.Equal([new MonitorProcess(11, Orphan)], plan.KillMonitors);
        Assert.Equal([Orphan], plan.DeleteRuntimeContainers);
        Assert.Equal([$"{Dir}/{Orphan}/rootfs/proc", $"{Dir}/{Orphan}/rootfs"], plan.Unmount); // deepest first
        Assert.Equal([Orphan], plan.DeleteBundles);
        Assert.Equal([Orphan], plan.DeleteExitFiles);
        Assert.Equal([Orphan], plan.DeleteSocketLinks);
        Assert.Equal([Orphan, "conmon-" + Orphan], plan.RemoveCgroups);
        Assert.False(plan.IsEmpty);
    }

    [Fact]
    public void NothingFound_IsAnEmptyPlan() =>
        Assert.True(LeftoverPlan.For(new RuntimeLeftovers(), new HashSet<string>(), Dir).IsEmpty);

    [Fact]
    public void MonitoredContainer_IsTheConmonOfThisExecRoot()
    {
        string id = Orphan;
        string[] container = ["/usr/bin/conmon", "--api-version", "1", "-c", id, "-u", id, "-r", "/usr/sbin/runc", "-b", "/run/b/containers/" + id, "--exit-dir", "/run/b/exits"];
        Assert.Equal(id, LeftoverSweeper.MonitoredContainer(container, "/run/b"));
        Assert.Null(LeftoverSweeper.MonitoredContainer(container, "/run/b2"));
        Assert.Null(LeftoverSweeper.MonitoredContainer(container, "/run/c"));
        string[] exec = ["conmon", "-c", id, "-u", "e1", "-b", "/run/b/containers/" + id + "/exec/e1", "-e"];
        Assert.Equal(id, LeftoverSweeper.MonitoredContainer(exec, "/run/b/"));
        Assert.Null(LeftoverSweeper.MonitoredContainer(["/usr/bin/sleep", "-c", id, "-b", "/run/b/x"], "/run/b"));
        Assert.Null(LeftoverSweeper.MonitoredContainer([], "/run/b"));
    }

    [Fact]
    public void MountinfoEscapes_AreUndone() =>
        Assert.Equal("/a b/c\\d", LeftoverSweeper.UnescapeMountPath("/a\\040b/c\\134d"));
}
