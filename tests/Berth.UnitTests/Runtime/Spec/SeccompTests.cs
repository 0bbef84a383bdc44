using Berth.Engine.Errors;
using Berth.Runtime.Security;
using Berth.Runtime.Spec;

namespace Berth.UnitTests.Runtime.Spec;

public class SeccompTests
{
    private static OciSeccomp Default(IReadOnlyCollection<string>? caps = null, string kernel = "6.1.0", string arch = "amd64") =>
        SeccompConverter.Convert(DefaultSeccompProfile.Create(), caps ?? Capabilities.Default, arch, kernel)!;

    /// <summary>Allowed unconditionally: an ALLOW rule naming it with no argument conditions.</summary>
    private static bool AllowedAlways(OciSeccomp s, string name) =>
        s.Syscalls.Any(r => r.Action == "SCMP_ACT_ALLOW" && r.Args is null && r.Names.Contains(name));

    private static bool Mentioned(OciSeccomp s, string name) => s.Syscalls.Any(r => r.Names.Contains(name));

    [Fact]
    public void DenyByDefaultWithEpermOnX86Family()
    {
        OciSeccomp s = Default();
        Assert.Equal("SCMP_ACT_ERRNO", s.DefaultAction);
        Assert.Equal(1u, s.DefaultErrnoRet);
        Assert.Equal(["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"], s.Architectures);
        Assert.Equal(["SCMP_ARCH_AARCH64", "SCMP_ARCH_ARM"], Default(arch: "arm64").Architectures);
    }

    [Theory]
    [InlineData("mount")]
    [InlineData("umount2")]
    [InlineData("pivot_root")]
    [InlineData("kexec_load")]
    [InlineData("kexec_file_load")]
    [InlineData("init_module")]
    [InlineData("finit_module")]
    [InlineData("delete_module")]
    [InlineData("bpf")]
    [InlineData("keyctl")]
    [InlineData("add_key")]
    [InlineData("request_key")]
    [InlineData("acct")]
    [InlineData("swapon")]
    [InlineData("swapoff")]
    [InlineData("reboot")]
    [InlineData("settimeofday")]
    [InlineData("clock_settime")]
    [InlineData("adjtimex")]
    [InlineData("syslog")]
    [InlineData("open_by_handle_at")]
    [InlineData("perf_event_open")]
    [InlineData("userfaultfd")]
    [InlineData("quotactl")]
    [InlineData("lookup_dcookie")]
    [InlineData("nfsservctl")]
    [InlineData("vm86")]
    [InlineData("uselib")]
    [InlineData("ustat")]
    [InlineData("sysfs")]
    [InlineData("_sysctl")]
    [InlineData("iopl")]
    [InlineData("ioperm")]
    [InlineData("create_module")]
    [InlineData("get_kernel_syms")]
    [InlineData("query_module")]
    [InlineData("setns")]
    [InlineData("io_uring_setup")]
    public void DangerousCallsAreNotAllowedByDefault(string name)
    {
        OciSeccomp s = Default();
        Assert.False(Mentioned(s, name), $"{name} should fall to the default ERRNO action");
    }

    [Theory]
    [InlineData("read")]
    [InlineData("write")]
    [InlineData("openat")]
    [InlineData("execve")]
    [InlineData("mmap")]
    [InlineData("futex")]
    [InlineData("rt_sigaction")]
    [InlineData("epoll_pwait")]
    [InlineData("connect")]
    [InlineData("wait4")]
    [InlineData("statx")]
    [InlineData("getrandom")]
    [InlineData("chroot")] // CAP_SYS_CHROOT is a default capability
    public void CommonCallsAreAllowed(string name) => Assert.True(AllowedAlways(Default(), name), name);

    [Fact]
    public void CloneIsAllowedOnlyWithoutNamespaceFlagsAndClone3GetsEnosys()
    {
        OciSeccomp s = Default();
        OciSyscall clone = Assert.Single(s.Syscalls, r => r.Names.Contains("clone"));
        OciSyscallArg arg = Assert.Single(clone.Args!);
        Assert.Equal(("SCMP_CMP_MASKED_EQ", 0x7E020000UL, (ulong?)0UL), (arg.Op, arg.Value, arg.ValueTwo));
        Assert.True((arg.Value & 0x10000000) != 0, "CLONE_NEWUSER must be in the mask");
        OciSyscall clone3 = Assert.Single(s.Syscalls, r => r.Names.Contains("clone3"));
        Assert.Equal(("SCMP_ACT_ERRNO", (uint?)38u), (clone3.Action, clone3.ErrnoRet));
        OciSyscall unshare = Assert.Single(s.Syscalls, r => r.Names.Contains("unshare"));
        Assert.NotNull(unshare.Args);
    }

    [Fact]
    public void PersonalityOnlyForSafeValues()
    {
        List<OciSyscall> rules = Default().Syscalls.Where(r => r.Names.Contains("personality")).ToList();
        Assert.Equal([0x0UL, 0x8, 0x20000, 0x20008, 0xffffffff], rules.Select(r => Assert.Single(r.Args!).Value));
    }

    [Fact]
    public void PtraceNeedsKernel48()
    {
        Assert.True(AllowedAlways(Default(kernel: "4.8.0"), "ptrace"));
        Assert.True(AllowedAlways(Default(kernel: "5.15.0-91-generic"), "ptrace"));
        Assert.False(Mentioned(Default(kernel: "4.4.0"), "ptrace"));
    }

    [Theory]
    [InlineData("CAP_SYS_ADMIN", "mount")]
    [InlineData("CAP_SYS_ADMIN", "setns")]
    [InlineData("CAP_SYS_BOOT", "reboot")]
    [InlineData("CAP_SYS_MODULE", "finit_module")]
    [InlineData("CAP_SYS_TIME", "clock_settime")]
    [InlineData("CAP_SYS_PTRACE", "kcmp")]
    [InlineData("CAP_SYS_PACCT", "acct")]
    [InlineData("CAP_SYS_RAWIO", "iopl")]
    [InlineData("CAP_DAC_READ_SEARCH", "open_by_handle_at")]
    public void CapabilityUnlocksItsCalls(string cap, string name)
    {
        Assert.False(AllowedAlways(Default(), name));
        Assert.True(AllowedAlways(Default([.. Capabilities.Default, cap]), name));
    }

    [Fact]
    public void SysAdminLiftsTheCloneRestriction()
    {
        OciSeccomp s = Default([.. Capabilities.Default, "CAP_SYS_ADMIN"]);
        Assert.True(AllowedAlways(s, "clone"));
        Assert.True(AllowedAlways(s, "clone3"));
        Assert.DoesNotContain(s.Syscalls, r => r.Names.Contains("clone3") && r.Action == "SCMP_ACT_ERRNO");
    }

    [Fact]
    public void CustomDockerProfileIsConverted()
    {
        const string json = """
            {
              "defaultAction": "SCMP_ACT_ERRNO",
              "defaultErrnoRet": 1,
              "archMap": [ { "architecture": "SCMP_ARCH_X86_64", "subArchitectures": ["SCMP_ARCH_X86"] } ],
              "syscalls": [
                { "names": ["read", "write"], "action": "SCMP_ACT_ALLOW" },
                { "name": "mkdir", "action": "SCMP_ACT_ERRNO", "errnoRet": 13 },
                { "names": ["chown"], "action": "SCMP_ACT_ALLOW", "includes": { "caps": ["CAP_CHOWN"] } },
                { "names": ["mount"], "action": "SCMP_ACT_ALLOW", "includes": { "caps": ["CAP_SYS_ADMIN"] } },
                { "names": ["arch_prctl"], "action": "SCMP_ACT_ALLOW", "includes": { "arches": ["amd64"] } },
                { "names": ["cacheflush"], "action": "SCMP_ACT_ALLOW", "excludes": { "arches": ["amd64"] } },
                { "names": ["socket"], "action": "SCMP_ACT_ALLOW", "args": [ { "index": 0, "value": 1, "op": "SCMP_CMP_EQ" } ] }
              ]
            }
            """;
        OciSpec spec = SpecFixtures.Apply(
            SpecFixtures.Busybox(h => h with { SecurityOpt = ["seccomp=" + json] }),
            SecurityMutators.WithCapabilities, SecurityMutators.WithSeccomp);
        Assert.Equal(
            """{"defaultAction":"SCMP_ACT_ERRNO","defaultErrnoRet":1,"architectures":["SCMP_ARCH_X86_64","SCMP_ARCH_X86"],"syscalls":[{"names":["read","write"],"action":"SCMP_ACT_ALLOW"},{"names":["mkdir"],"action":"SCMP_ACT_ERRNO","errnoRet":13},{"names":["chown"],"action":"SCMP_ACT_ALLOW"},{"names":["arch_prctl"],"action":"SCMP_ACT_ALLOW"},{"names":["socket"],"action":"SCMP_ACT_ALLOW","args":[{"index":0,"value":1,"op":"SCMP_CMP_EQ"}]}]}""",
            SpecFixtures.Fragment(spec, "linux.seccomp"));
    }

    [Theory]
    [InlineData("""{"defaultAction":"SCMP_ACT_ALLOW","architectures":["SCMP_ARCH_X86_64"],"archMap":[{"architecture":"SCMP_ARCH_X86_64"}]}""",
        "both 'architectures' and 'archMap' are specified in the seccomp profile, use either 'architectures' or 'archMap'")]
    [InlineData("""{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"name":"read","names":["write"],"action":"SCMP_ACT_ALLOW"}]}""",
        "both 'name' and 'names' are specified in the seccomp profile, use either 'name' or 'names'")]
    public void InvalidProfilesAreRejected(string json, string message)
    {
        var e = Assert.Throws<DaemonException>(() => SpecFixtures.Apply(
            SpecFixtures.Busybox(h => h with { SecurityOpt = ["seccomp=" + json] }),
            SecurityMutators.WithCapabilities, SecurityMutators.WithSeccomp));
        Assert.Equal(message, e.Message);
    }

    [Fact]
    public void GarbageProfileIsADecodeError()
    {
        var e = Assert.Throws<DaemonException>(() => SpecFixtures.Apply(
            SpecFixtures.Busybox(h => h with { SecurityOpt = ["seccomp={not json"] }), SecurityMutators.WithSeccomp));
        Assert.Equal(ErrorKind.InvalidParameter, e.Kind);
        Assert.StartsWith("Decoding seccomp profile failed: ", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(false, "seccomp=unconfined", false)]
    [InlineData(true, null, false)]
    [InlineData(true, "seccomp=builtin", false)]
    [InlineData(false, null, true)]
    [InlineData(false, "seccomp:builtin", true)]
    [InlineData(true, """seccomp={"defaultAction":"SCMP_ACT_LOG"}""", true)]
    public void WhenAProfileApplies(bool privileged, string? opt, bool expectFilter)
    {
        OciSpec spec = SpecFixtures.Apply(
            SpecFixtures.Busybox(h => h with { Privileged = privileged, SecurityOpt = opt is null ? [] : [opt] }),
            SecurityMutators.WithCapabilities, SecurityMutators.WithSeccomp);
        Assert.Equal(expectFilter, spec.Linux!.Seccomp is not null);
    }

    [Fact]
    public void BuiltinProfileLeavesOutArchitecturesTheKernelCannotRun()
    {
        OciSpec spec = SpecFixtures.Apply(
            SpecFixtures.Busybox(daemon: d => d with { UnusableSeccompArchitectures = ["SCMP_ARCH_X32"] }),
            SecurityMutators.WithCapabilities, SecurityMutators.WithSeccomp);
        Assert.Equal(["SCMP_ARCH_X86_64", "SCMP_ARCH_X86"], spec.Linux!.Seccomp!.Architectures);
    }

    [Fact]
    public void CustomProfileKeepsItsArchitectures()
    {
        const string profile = """seccomp={"defaultAction":"SCMP_ACT_ERRNO","architectures":["SCMP_ARCH_X86_64","SCMP_ARCH_X32"]}""";
        OciSpec spec = SpecFixtures.Apply(
            SpecFixtures.Busybox(h => h with { SecurityOpt = [profile] }, daemon: d => d with { UnusableSeccompArchitectures = ["SCMP_ARCH_X32"] }),
            SecurityMutators.WithCapabilities, SecurityMutators.WithSeccomp);
        Assert.Equal(["SCMP_ARCH_X86_64", "SCMP_ARCH_X32"], spec.Linux!.Seccomp!.Architectures);
    }
}
