using System.Text;
using Berth.Runtime.Oci;

namespace Berth.UnitTests.Runtime.Oci;

public sealed class RuncStateFactsTests
{
    // The shape of runc 1.1's state.json (libcontainer State), trimmed to what matters here.
    private static string State(
        string namespaces = """[{"type":"NEWNS","path":""},{"type":"NEWPID","path":""}]""",
        string hooks = """{"createContainer":null,"poststart":null,"poststop":null,"prestart":null}""",
        string cgroupPaths = """{"":"/sys/fs/cgroup/unified/berth/c1","freezer":"/sys/fs/cgroup/freezer/berth/c1","memory":"/sys/fs/cgroup/memory/berth/c1"}""",
        string systemd = "false", string rdt = "", string rootless = "false") => $$"""
        {"id":"c1","init_process_pid":4242,"init_process_start":4872926,"created":"2026-11-28T12:58:00Z",
         "config":{"rootfs":"/x","namespaces":{{namespaces}},"cgroups":{"path":"/berth/c1","Systemd":{{systemd}}},"Hooks":{{hooks}}},
         "rootless":{{rootless}},"cgroup_paths":{{cgroupPaths}},"namespace_paths":{},"external_descriptors":[],"intel_rdt_path":"{{rdt}}"}
        """;

    private static RuncStateFacts Parse(string json) =>
        RuncStateFacts.Parse(Encoding.UTF8.GetBytes(json)) ?? throw new InvalidOperationException("not parsed");

    [Fact]
    public void PlainContainerNeedsNoRunc()
    {
        RuncStateFacts facts = Parse(State());
        Assert.Null(facts.NeedsRuncBecause);
        Assert.Equal(4242, facts.InitPid);
        Assert.Equal(4872926UL, facts.InitStartTime);
        Assert.Equal(
            ["/sys/fs/cgroup/unified/berth/c1", "/sys/fs/cgroup/freezer/berth/c1", "/sys/fs/cgroup/memory/berth/c1"],
            facts.CgroupPaths);
        Assert.Equal("/sys/fs/cgroup/freezer/berth/c1", facts.FreezerPath);
    }

    [Theory]
    [InlineData("""[{"type":"NEWNS","path":""}]""")] // --pid=host
    [InlineData("""[{"type":"NEWPID","path":"/proc/77/ns/pid"}]""")] // --pid=container:x
    [InlineData("null")]
    public void SharedPidNamespaceNeedsRunc(string namespaces) =>
        Assert.Equal("shared pid namespace", Parse(State(namespaces: namespaces)).NeedsRuncBecause);

    [Fact]
    public void AnyHookNeedsRunc() =>
        Assert.Equal("hooks", Parse(State(hooks: """{"poststop":[{"path":"/bin/true"}],"prestart":null}""")).NeedsRuncBecause);

    [Fact]
    public void EmptyHookListsNeedNoRunc() =>
        Assert.Null(Parse(State(hooks: """{"poststop":[],"prestart":null}""")).NeedsRuncBecause);

    [Fact]
    public void SystemdCgroupsRdtAndRootlessNeedRunc()
    {
        Assert.Equal("systemd cgroups", Parse(State(systemd: "true")).NeedsRuncBecause);
        Assert.Equal("intel rdt", Parse(State(rdt: "/sys/fs/resctrl/c1")).NeedsRuncBecause);
        Assert.Equal("rootless", Parse(State(rootless: "true")).NeedsRuncBecause);
    }

    [Fact]
    public void RelativeOrEmptyCgroupPathsAreIgnored()
    {
        RuncStateFacts facts = Parse(State(cgroupPaths: """{"memory":"","cpu":"relative/c1","pids":"/sys/fs/cgroup/pids/berth/c1"}"""));
        Assert.Equal(["/sys/fs/cgroup/pids/berth/c1"], facts.CgroupPaths);
        Assert.Null(facts.FreezerPath);
    }

    [Theory]
    [InlineData("")]
    [InlineData("not json")]
    [InlineData("[]")]
    [InlineData("""{"id":"c1","config":{}}""")] // no init pid
    [InlineData("""{"init_process_pid":"x","init_process_start":1,"config":{}}""")]
    [InlineData("""{"init_process_pid":1,"init_process_start":1}""")] // no config
    [InlineData("""{"init_process_pid":1,"init_process_start":1,"config":{"namespaces":[{"type":5}]}}""")]
    [InlineData("""{"init_process_pid":1,"init_process_start":1,"config":{},"cgroup_paths":{"memory":7}}""")]
    public void UnknownShapesAreNotParsed(string json) =>
        Assert.Null(RuncStateFacts.Parse(Encoding.UTF8.GetBytes(json)));
}
