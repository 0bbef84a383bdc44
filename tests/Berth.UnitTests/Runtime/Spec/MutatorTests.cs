using Berth.Engine.Errors;
using Berth.Runtime.Spec;

namespace Berth.UnitTests.Runtime.Spec;

public class MutatorTests
{
    private static string Run(SpecInput input, SpecMutator mutator, string path) =>
        SpecFixtures.Fragment(SpecFixtures.Apply(input, mutator), path);

    [Fact]
    public void RootIsTheRootfsPathAndReadonlyFlag() =>
        Assert.Equal($$"""{"path":"/var/lib/berth/rootfs/{{SpecFixtures.Id}}","readonly":true}""",
            Run(SpecFixtures.Busybox(h => h with { ReadonlyRootfs = true }), ProcessMutators.WithRoot, "root"));

    [Fact]
    public void ProcessWithTtyGetsTermAndConsoleSize()
    {
        OciSpec spec = SpecFixtures.Apply(
            SpecFixtures.Busybox(h => h with { ConsoleSize = (24, 80) }, c => c with { Tty = true, WorkingDir = "/srv", Env = ["A=1"] }),
            ProcessMutators.WithProcess);
        Assert.Equal("""{"height":24,"width":80}""", SpecFixtures.Fragment(spec, "process.consoleSize"));
        Assert.Equal("""["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin","HOSTNAME=0123456789ab","TERM=xterm","A=1","HOME=/root"]""",
            SpecFixtures.Fragment(spec, "process.env"));
        Assert.Equal("\"/srv\"", SpecFixtures.Fragment(spec, "process.cwd"));
        Assert.Equal("true", SpecFixtures.Fragment(spec, "process.terminal"));
    }

    [Fact]
    public void HomeComesFromTheResolvedUser() =>
        Assert.Contains("\"HOME=/home/app\"",
            Run(SpecFixtures.Busybox(config: c => c with { User = "app" }), ProcessMutators.WithProcess, "process.env"), StringComparison.Ordinal);

    [Fact]
    public void CgroupsPathIsParentSlashId()
    {
        Assert.Equal($"\"/docker/{SpecFixtures.Id}\"", Run(SpecFixtures.Busybox(), LinuxMutators.WithCgroupsPath, "linux.cgroupsPath"));
        Assert.Equal($"\"/custom/{SpecFixtures.Id}\"",
            Run(SpecFixtures.Busybox(h => h with { CgroupParent = "/custom/" }), LinuxMutators.WithCgroupsPath, "linux.cgroupsPath"));
    }

    [Fact]
    public void ResourcesOnlyCarrySetValues()
    {
        SpecInput input = SpecFixtures.Busybox(h => h with
        {
            Resources = new ResourcesInput
            {
                Memory = 256L << 20,
                MemoryReservation = 128L << 20,
                MemorySwap = 512L << 20,
                MemorySwappiness = 10,
                OomKillDisable = true,
                CpuShares = 512,
                NanoCpus = 1_500_000_000,
                CpusetCpus = "0-1",
                CpusetMems = "0",
                PidsLimit = 100,
                BlkioWeight = 300,
            },
        });
        OciSpec spec = SpecFixtures.Apply(input, LinuxMutators.WithResources);
        Assert.Equal("""{"limit":268435456,"reservation":134217728,"swap":536870912,"swappiness":10,"disableOOMKiller":true}""",
            SpecFixtures.Fragment(spec, "linux.resources.memory"));
        Assert.Equal("""{"shares":512,"quota":150000,"period":100000,"cpus":"0-1","mems":"0"}""",
            SpecFixtures.Fragment(spec, "linux.resources.cpu"));
        Assert.Equal("""{"limit":100}""", SpecFixtures.Fragment(spec, "linux.resources.pids"));
        Assert.Equal("""{"weight":300}""", SpecFixtures.Fragment(spec, "linux.resources.blockIO"));

        OciSpec empty = SpecFixtures.Apply(SpecFixtures.Busybox(h => h with { Resources = new ResourcesInput { PidsLimit = 0, MemorySwappiness = -1 } }),
            LinuxMutators.WithResources);
        Assert.Equal("null", SpecFixtures.Fragment(empty, "linux.resources.memory"));
        Assert.Equal("null", SpecFixtures.Fragment(empty, "linux.resources.cpu"));
        Assert.Equal("""{"limit":-1}""", SpecFixtures.Fragment(empty, "linux.resources.pids"));
    }

    [Fact]
    public void CpuPeriodAndQuotaOverrideNanoCpus() =>
        Assert.Equal("""{"quota":20000,"period":50000}""", Run(SpecFixtures.Busybox(h => h with
        {
            Resources = new ResourcesInput { NanoCpus = 2_000_000_000, CpuPeriod = 50000, CpuQuota = 20000 },
        }), LinuxMutators.WithResources, "linux.resources.cpu"));

    [Fact]
    public void DevicesAddNodesAndCgroupRules()
    {
        OciSpec spec = SpecFixtures.Apply(SpecFixtures.Busybox(h => h with
        {
            Devices = [new DeviceMapping("/dev/fuse", "/dev/fuse", "rwm"), new DeviceMapping("/dev/snd", "/dev/sound", "r")],
        }), LinuxMutators.WithDevices);
        Assert.Equal(
            """[{"path":"/dev/fuse","type":"c","major":10,"minor":229,"fileMode":8630,"uid":0,"gid":0},{"path":"/dev/sound/pcmC0D0p","type":"c","major":116,"minor":16,"fileMode":8624,"uid":0,"gid":29},{"path":"/dev/sound/timer","type":"c","major":116,"minor":33,"fileMode":8624,"uid":0,"gid":29}]""",
            SpecFixtures.Fragment(spec, "linux.devices"));
        string rules = SpecFixtures.Fragment(spec, "linux.resources.devices");
        Assert.StartsWith("""[{"allow":false,"access":"rwm"},""", rules, StringComparison.Ordinal);
        Assert.EndsWith("""{"allow":true,"type":"c","major":10,"minor":229,"access":"rwm"},{"allow":true,"type":"c","major":116,"minor":16,"access":"r"},{"allow":true,"type":"c","major":116,"minor":33,"access":"r"}]""",
            rules, StringComparison.Ordinal);
    }

    [Fact]
    public void MissingDeviceIsAnError()
    {
        var e = Assert.Throws<DaemonException>(() => SpecFixtures.Apply(
            SpecFixtures.Busybox(h => h with { Devices = [new DeviceMapping("/dev/nope", "/dev/nope", "rwm")] }), LinuxMutators.WithDevices));
        Assert.Equal("error gathering device information while adding custom device \"/dev/nope\": no such file or directory", e.Message);
    }

    [Fact]
    public void PrivilegedDevicesAreAllHostDevicesAndAllowAll()
    {
        OciSpec spec = SpecFixtures.Apply(SpecFixtures.Busybox(h => h with { Privileged = true }), LinuxMutators.WithDevices);
        Assert.Equal("""[{"allow":true,"access":"rwm"}]""", SpecFixtures.Fragment(spec, "linux.resources.devices"));
        Assert.Equal(2, spec.Linux!.Devices!.Count);
    }

    [Fact]
    public void RlimitsMergeContainerOverDaemonDefaults()
    {
        SpecInput input = SpecFixtures.Busybox(
            h => h with { Ulimits = [new Ulimit("nofile", 1024, 2048)] },
            daemon: d => d with { DefaultUlimits = [new Ulimit("nofile", 1, 1), new Ulimit("nproc", -1, -1)] });
        Assert.Equal(
            """[{"type":"RLIMIT_NOFILE","hard":2048,"soft":1024},{"type":"RLIMIT_NPROC","hard":18446744073709551615,"soft":18446744073709551615}]""",
            Run(input, ProcessMutators.WithRlimits, "process.rlimits"));
        var e = Assert.Throws<DaemonException>(() =>
            SpecFixtures.Apply(SpecFixtures.Busybox(h => h with { Ulimits = [new Ulimit("bogus", 1, 1)] }), ProcessMutators.WithRlimits));
        Assert.Equal("invalid ulimit type: bogus", e.Message);
    }

    [Theory]
    [InlineData("bridge", "", "", "", "", """[{"type":"mount"},{"type":"network","path":"/run/berth/netns/0123456789ab"},{"type":"uts"},{"type":"pid"},{"type":"ipc"},{"type":"cgroup"}]""")]
    [InlineData("host", "host", "host", "host", "host", """[{"type":"mount"}]""")]
    [InlineData("container:web", "container:web", "container:web", "", "private", """[{"type":"mount"},{"type":"network","path":"/proc/4242/ns/net"},{"type":"uts"},{"type":"pid","path":"/proc/4242/ns/pid"},{"type":"ipc","path":"/proc/4242/ns/ipc"},{"type":"cgroup"}]""")]
    [InlineData("none", "shareable", "", "", "host", """[{"type":"mount"},{"type":"network","path":"/run/berth/netns/0123456789ab"},{"type":"uts"},{"type":"pid"},{"type":"ipc"}]""")]
    public void Namespaces(string net, string ipc, string pid, string uts, string cgroupns, string expected) =>
        Assert.Equal(expected, Run(SpecFixtures.Busybox(h => h with
        {
            NetworkMode = net,
            IpcMode = ipc,
            PidMode = pid,
            UtsMode = uts,
            CgroupnsMode = cgroupns,
        }), LinuxMutators.WithNamespaces, "linux.namespaces"));

    [Theory]
    [InlineData("bogus", "", "invalid IPC mode: bogus")]
    [InlineData("", "bogus", "invalid PID mode: bogus")]
    public void BadNamespaceModes(string ipc, string pid, string message)
    {
        var e = Assert.Throws<DaemonException>(() =>
            SpecFixtures.Apply(SpecFixtures.Busybox(h => h with { IpcMode = ipc, PidMode = pid }), LinuxMutators.WithNamespaces));
        Assert.Equal((ErrorKind.InvalidParameter, message), (e.Kind, e.Message));
    }

    [Fact]
    public void SysctlsAddNetworkDefaultsAndUserValues()
    {
        OciSpec spec = SpecFixtures.Apply(
            SpecFixtures.Busybox(h => h with { Sysctls = new Dictionary<string, string> { ["net.core.somaxconn"] = "1024", ["kernel.shmmax"] = "1" } }),
            LinuxMutators.WithNamespaces, LinuxMutators.WithSysctls);
        Assert.Equal("""{"kernel.shmmax":"1","net.core.somaxconn":"1024","net.ipv4.ip_unprivileged_port_start":"0","net.ipv4.ping_group_range":"0 2147483647"}""",
            SpecFixtures.Fragment(spec, "linux.sysctl"));
    }

    [Theory]
    [InlineData("vm.max_map_count", "bridge", "", "sysctl \"vm.max_map_count\" is not in a separate kernel namespace")]
    [InlineData("net.ipv4.ip_forward", "host", "", "sysctl \"net.ipv4.ip_forward\" is not allowed in the hosts network namespace")]
    [InlineData("kernel.msgmax", "bridge", "host", "sysctl \"kernel.msgmax\" is not allowed in the hosts ipc namespace")]
    [InlineData("kernel.hostname", "bridge", "", "sysctl \"kernel.hostname\" is not allowed as it conflicts with the OCI \"hostname\" field")]
    public void SysctlsOutsideTheContainersNamespacesAreRejected(string key, string net, string ipc, string message)
    {
        var e = Assert.Throws<DaemonException>(() => SpecFixtures.Apply(
            SpecFixtures.Busybox(h => h with { NetworkMode = net, IpcMode = ipc, Sysctls = new Dictionary<string, string> { [key] = "1" } }),
            LinuxMutators.WithNamespaces, LinuxMutators.WithSysctls));
        Assert.Equal((ErrorKind.InvalidParameter, message), (e.Kind, e.Message));
    }

    [Theory]
    [InlineData("no-new-privileges", true)]
    [InlineData("no-new-privileges:true", true)]
    [InlineData("no-new-privileges=false", false)]
    public void NoNewPrivileges(string opt, bool expected) =>
        Assert.Equal(expected ? "true" : "false",
            Run(SpecFixtures.Busybox(h => h with { SecurityOpt = [opt] }), ProcessMutators.WithNoNewPrivileges, "process.noNewPrivileges"));

    [Theory]
    [InlineData("bogus", "invalid --security-opt 1: \"bogus\"")]
    [InlineData("no-new-privileges=maybe", "invalid --security-opt 2: \"no-new-privileges=maybe\"")]
    [InlineData("foo=bar", "invalid --security-opt 2: \"foo=bar\"")]
    public void BadSecurityOpts(string opt, string message)
    {
        var e = Assert.Throws<DaemonException>(() =>
            SpecFixtures.Apply(SpecFixtures.Busybox(h => h with { SecurityOpt = [opt] }), ProcessMutators.WithNoNewPrivileges));
        Assert.Equal(message, e.Message);
    }

    [Fact]
    public void OomScoreAndAnnotations()
    {
        OciSpec spec = SpecFixtures.Apply(
            SpecFixtures.Busybox(h => h with { OomScoreAdj = -500, Annotations = new Dictionary<string, string> { ["b"] = "2", ["a"] = "1" } }),
            ProcessMutators.WithOomScore, ProcessMutators.WithAnnotations);
        Assert.Equal("-500", SpecFixtures.Fragment(spec, "process.oomScoreAdj"));
        Assert.Equal("""{"a":"1","b":"2"}""", SpecFixtures.Fragment(spec, "annotations"));
    }

    [Fact]
    public void DomainnameTravelsAsSysctl() =>
        Assert.Equal("""{"kernel.domainname":"example.org"}""",
            Run(SpecFixtures.Busybox(config: c => c with { Domainname = "example.org" }), ProcessMutators.WithHostname, "linux.sysctl"));
}
