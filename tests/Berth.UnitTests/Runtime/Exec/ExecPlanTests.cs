using System.Text;
using Berth.Runtime.Exec;
using Berth.Runtime.Security;
using Berth.Runtime.Spec;
using Berth.UnitTests.Runtime.Spec;

namespace Berth.UnitTests.Runtime.Exec;

public class ExecPlanTests
{
    private const string ContainerId = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    /// <summary>The plan's key/value pairs, checking its shape: NUL after every string, keys and values paired.</summary>
    private static List<(string Key, string Value)> Pairs(byte[] plan)
    {
        Assert.Equal(0, plan[^1]);
        var strings = new List<string>();
        int start = 0;
        for (int i = 0; i < plan.Length; i++)
        {
            if (plan[i] == 0)
            {
                strings.Add(Encoding.UTF8.GetString(plan, start, i - start));
                start = i + 1;
            }
        }
        Assert.Equal(0, strings.Count % 2);
        return [.. Enumerable.Range(0, strings.Count / 2).Select(i => (strings[2 * i], strings[2 * i + 1]))];
    }

    private static ExecPlanTarget Target(string? program = null, uint flags = 0, params string[] procs) =>
        new(ContainerId, 4242, 987654321, procs, program, flags);

    /// <summary>`docker run busybox sh` and a plain `docker exec` in it, as the daemon builds them.</summary>
    private static (OciSpec Container, OciProcess Exec) Plain()
    {
        OciSpec container = SpecBuilder.Build(SpecFixtures.Busybox());
        OciProcess exec = ExecProcessBuilder.Build(container.Process!, new ExecProcessInput
        {
            Args = ["ls", "-l", "/"],
            ContainerEnv = ["A=1"],
            Hostname = "0123456789ab",
            PasswdText = SpecFixtures.Passwd,
            GroupText = SpecFixtures.Group,
            CapabilityBoundingSet = SpecFixtures.HostCaps,
        });
        return (container, exec);
    }

    [Fact]
    public void Build_EncodesEverythingInOrder()
    {
        var process = new OciProcess
        {
            Args = ["sh", "-c", "echo 'a b' ü"],
            Env = ["PATH=/bin", "EMPTY=", "HOME=/root"],
            Cwd = "/srv/app",
            User = new OciUser { Uid = 1000, Gid = 1001, AdditionalGids = [1001, 10, 29], Umask = 0x12 }, // 022
            Capabilities = new OciCapabilities
            {
                Bounding = ["CAP_CHOWN", "CAP_KILL", "CAP_CHECKPOINT_RESTORE"],
                Effective = ["CAP_KILL"],
                Permitted = ["CAP_KILL", "CAP_NET_RAW"],
                Inheritable = null,
                Ambient = [],
            },
            Rlimits =
            [
                new OciRlimit { Type = "RLIMIT_NOFILE", Soft = 1024, Hard = 4096 },
                new OciRlimit { Type = "RLIMIT_CORE", Soft = 0, Hard = ulong.MaxValue },
            ],
            OomScoreAdj = -500,
            NoNewPrivileges = true,
        };
        byte[] plan = ExecPlan.Build(process, Target("/run/berth/seccomp/v1-abc.bpf", 6,
            "/sys/fs/cgroup/docker/" + ContainerId + "/cgroup.procs", "/sys/fs/cgroup/pids/docker/" + ContainerId + "/cgroup.procs"));
        Assert.Equal(
        [
            ("pid", "4242"),
            ("start", "987654321"),
            ("cgroup", "/sys/fs/cgroup/docker/" + ContainerId + "/cgroup.procs"),
            ("cgroup", "/sys/fs/cgroup/pids/docker/" + ContainerId + "/cgroup.procs"),
            ("nnp", "1"),
            ("seccomp", "/run/berth/seccomp/v1-abc.bpf"),
            ("seccomp-flags", "6"),
            ("uid", "1000"),
            ("gid", "1001"),
            ("group", "1001"),
            ("group", "10"),
            ("group", "29"),
            ("umask", "18"), // decimal: berth-exec's strtoull(…, 0) would read a leading 0 as octal
            ("cap-bounding", ((1UL << 0) | (1UL << 5) | (1UL << 40)).ToString(System.Globalization.CultureInfo.InvariantCulture)),
            ("cap-effective", "32"),
            ("cap-permitted", ((1UL << 5) | (1UL << 13)).ToString(System.Globalization.CultureInfo.InvariantCulture)),
            ("cap-inheritable", "0"),
            ("cap-ambient", "0"),
            ("rlimit", "7 1024 4096"),
            ("rlimit", "4 0 18446744073709551615"),
            ("oom", "-500"),
            ("keyring", "_ses." + ContainerId),
            ("cwd", "/srv/app"),
            ("arg", "sh"),
            ("arg", "-c"),
            ("arg", "echo 'a b' ü"),
            ("env", "PATH=/bin"),
            ("env", "EMPTY="),
            ("env", "HOME=/root"),
        ], Pairs(plan));
    }

    [Fact]
    public void Build_LeavesOutWhatIsNotSet()
    {
        var process = new OciProcess { Args = ["true"] };
        Assert.Equal(
        [
            ("pid", "4242"),
            ("start", "987654321"),
            ("nnp", "0"),
            ("uid", "0"),
            ("gid", "0"),
            ("cap-bounding", "0"),
            ("cap-effective", "0"),
            ("cap-permitted", "0"),
            ("cap-inheritable", "0"),
            ("cap-ambient", "0"),
            ("keyring", "_ses." + ContainerId),
            ("cwd", "/"),
            ("arg", "true"),
        ], Pairs(ExecPlan.Build(process, Target())));
    }

    [Fact]
    public void Build_ThePlainExec()
    {
        (_, OciProcess exec) = Plain();
        List<(string Key, string Value)> pairs = Pairs(ExecPlan.Build(exec, Target("/p.bpf", 0, "/sys/fs/cgroup/x/cgroup.procs")));
        Assert.Equal(("cap-bounding", "2818844155"), pairs.Single(p => p.Key == "cap-bounding")); // 0xa80425fb, dockerd's CapBnd
        Assert.Equal(("oom", "0"), pairs.Single(p => p.Key == "oom"));
        Assert.Equal(["ls", "-l", "/"], pairs.Where(p => p.Key == "arg").Select(p => p.Value));
        Assert.Equal(("seccomp-flags", "0"), pairs.Single(p => p.Key == "seccomp-flags"));
    }

    [Fact]
    public void Build_AddsTheTargetsHome_OnlyWhenTheEnvHasNone()
    {
        var bare = new OciProcess { Args = ["true"], Env = ["PATH=/bin"] };
        var withHome = new OciProcess { Args = ["true"], Env = ["PATH=/bin", "HOME=/own"] };
        ExecPlanTarget target = Target() with { Home = "/root" };
        Assert.Equal(["PATH=/bin", "HOME=/root"], Pairs(ExecPlan.Build(bare, target)).Where(p => p.Key == "env").Select(p => p.Value));
        Assert.Equal(["PATH=/bin", "HOME=/own"], Pairs(ExecPlan.Build(withHome, target)).Where(p => p.Key == "env").Select(p => p.Value));
        Assert.Equal(["PATH=/bin"], Pairs(ExecPlan.Build(bare, Target())).Where(p => p.Key == "env").Select(p => p.Value));
    }

    [Fact]
    public void Build_RefusesANulInATargetValue() =>
        Assert.Throws<ArgumentException>(() => ExecPlan.Build(new OciProcess { Args = ["true"] }, Target(null, 0, "/sys/fs/cgroup/a\0b/cgroup.procs")));

    [Fact]
    public void Mask_NamesToBits()
    {
        Assert.Equal(0UL, ExecPlan.Mask(null));
        Assert.Equal(0UL, ExecPlan.Mask([]));
        Assert.Equal(1UL, ExecPlan.Mask(["CAP_CHOWN"]));
        Assert.Equal((1UL << 5) | (1UL << 13), ExecPlan.Mask(["CAP_NET_RAW", "CAP_KILL"]));
        Assert.Equal(1UL << 21, ExecPlan.Mask(["CAP_SYS_ADMIN", "CAP_SYS_ADMIN"]));
        Assert.Equal(1UL << 40, ExecPlan.Mask(["CAP_CHECKPOINT_RESTORE"]));
        Assert.Equal(0xa80425fbUL, ExecPlan.Mask(Capabilities.Default));
        Assert.Equal((1UL << 41) - 1, ExecPlan.Mask(Capabilities.Known));
    }

    [Theory]
    [InlineData("CAP_BOGUS")]
    [InlineData("cap_chown")]
    [InlineData("CHOWN")]
    [InlineData("")]
    public void Mask_UnknownNameIsNull(string name) => Assert.Null(ExecPlan.Mask(["CAP_CHOWN", name]));

    [Fact]
    public void SeccompFlags_Mapping()
    {
        Assert.Equal(0u, ExecPlan.SeccompFlags(null));
        Assert.Equal(0u, ExecPlan.SeccompFlags([]));
        Assert.Equal(0u, ExecPlan.SeccompFlags(["SECCOMP_FILTER_FLAG_TSYNC"]));
        Assert.Equal(2u, ExecPlan.SeccompFlags(["SECCOMP_FILTER_FLAG_LOG"]));
        Assert.Equal(4u, ExecPlan.SeccompFlags(["SECCOMP_FILTER_FLAG_SPEC_ALLOW"]));
        Assert.Equal(6u, ExecPlan.SeccompFlags(["SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_SPEC_ALLOW", "SECCOMP_FILTER_FLAG_LOG"]));
    }

    [Theory]
    [InlineData("SECCOMP_FILTER_FLAG_NEW_LISTENER")]
    [InlineData("SECCOMP_FILTER_FLAG_TSYNC_ESRCH")]
    [InlineData("SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV")]
    [InlineData("seccomp_filter_flag_log")]
    public void SeccompFlags_OthersAreNull(string flag) =>
        Assert.Null(ExecPlan.SeccompFlags(["SECCOMP_FILTER_FLAG_LOG", flag]));

    [Fact]
    public void Unsupported_PlainContainerAndExec_AreSupported()
    {
        (OciSpec container, OciProcess exec) = Plain();
        Assert.NotNull(container.Linux!.Seccomp);
        Assert.Null(ExecPlan.Unsupported(container, exec));
        Assert.Null(ExecPlan.Unsupported(container, container.Process!));
    }

    [Fact]
    public void Unsupported_EveryDockerUlimitAndSupportedSeccompFlags()
    {
        string[] names = ["core", "cpu", "data", "fsize", "locks", "memlock", "msgqueue", "nice", "nofile", "nproc", "rss", "rtprio", "rttime", "sigpending", "stack"];
        OciSpec container = SpecBuilder.Build(SpecFixtures.Busybox(h => h with { Ulimits = [.. names.Select(n => new Ulimit(n, 1, -1))] }));
        Assert.Equal(names.Length, container.Process!.Rlimits!.Count);
        container.Linux!.Seccomp!.Flags = ["SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_SPEC_ALLOW", "SECCOMP_FILTER_FLAG_TSYNC"];
        Assert.Null(ExecPlan.Unsupported(container, container.Process));
        Assert.Null(ExecPlan.Unsupported(new OciSpec { Linux = new OciLinux() }, new OciProcess { Args = ["true"] }));
    }

    [Theory]
    [InlineData("terminal")]
    [InlineData("user namespace")]
    [InlineData("joined user namespace")]
    [InlineData("uid mappings")]
    [InlineData("gid mappings")]
    [InlineData("apparmor")]
    [InlineData("selinux")]
    [InlineData("unknown bounding capability")]
    [InlineData("unknown ambient capability")]
    [InlineData("unknown inheritable capability")]
    [InlineData("unknown rlimit")]
    [InlineData("seccomp listener flag")]
    [InlineData("nul in arg")]
    [InlineData("nul in env")]
    [InlineData("nul in cwd")]
    [InlineData("no args")]
    [InlineData("no linux section")]
    public void Unsupported_LeavesTheExecToRunc(string what)
    {
        (OciSpec container, OciProcess exec) = Plain();
        OciCapabilities caps = exec.Capabilities!;
        switch (what)
        {
            case "terminal": exec.Terminal = true; break;
            case "user namespace": container.Linux!.Namespaces.Add(new OciNamespace { Type = "user" }); break;
            case "joined user namespace": container.Linux!.Namespaces.Add(new OciNamespace { Type = "user", Path = "/proc/1/ns/user" }); break;
            case "uid mappings": container.Linux!.UidMappings = [new OciIdMapping { ContainerId = 0, HostId = 100000, Size = 65536 }]; break;
            case "gid mappings": container.Linux!.GidMappings = [new OciIdMapping { ContainerId = 0, HostId = 100000, Size = 65536 }]; break;
            case "apparmor": exec.ApparmorProfile = "docker-default"; break;
            case "selinux": exec.SelinuxLabel = "system_u:system_r:container_t:s0:c1,c2"; break;
            case "unknown bounding capability": exec.Capabilities = new OciCapabilities { Bounding = [.. caps.Bounding!, "CAP_BOGUS"], Effective = caps.Effective, Permitted = caps.Permitted }; break;
            case "unknown ambient capability": exec.Capabilities = new OciCapabilities { Bounding = caps.Bounding, Ambient = ["net_raw"] }; break;
            case "unknown inheritable capability": exec.Capabilities = new OciCapabilities { Inheritable = ["CAP_NOPE"] }; break;
            case "unknown rlimit": exec.Rlimits = [new OciRlimit { Type = "RLIMIT_NOFILE", Soft = 1, Hard = 1 }, new OciRlimit { Type = "RLIMIT_BOGUS", Soft = 1, Hard = 1 }]; break;
            case "seccomp listener flag": container.Linux!.Seccomp!.Flags = ["SECCOMP_FILTER_FLAG_NEW_LISTENER"]; break;
            case "nul in arg": exec.Args = ["sh", "-c", "printf 'a\0b'"]; break;
            case "nul in env": exec.Env = [.. exec.Env, "BAD=a\0b"]; break;
            case "nul in cwd": exec.Cwd = "/tmp\0x"; break;
            case "no args": exec.Args = []; break;
            case "no linux section": container.Linux = null; break;
            default: throw new ArgumentException(what, nameof(what));
        }
        Assert.NotNull(ExecPlan.Unsupported(container, exec));
    }
}
