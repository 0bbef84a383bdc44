using Berth.Linux;
using Berth.Runtime.Security;
using Berth.Runtime.Spec;
using Berth.UnitTests.Runtime.Spec;
using static Berth.UnitTests.Runtime.Security.ClassicBpf;

namespace Berth.UnitTests.Runtime.Security;

/// <summary>
/// Programs compiled by libseccomp (the host's libseccomp.so.2) and run in <see cref="ClassicBpf"/>.
/// Syscall numbers are the kernel's ABI (arch/x86/entry/syscalls), written out so the test
/// does not lean on the resolver the code under test uses. Skipped where libseccomp.so.2 is
/// missing (CI has it: conmon and crun depend on it).
/// </summary>
public sealed class SeccompBpfTests : IDisposable
{
    private const uint RetTrap = 0x00030000;
    private const uint RetLog = 0x7ffc0000;

    // x86_64
    private const uint Read = 0, Write = 1, Getpid = 39, Socket = 41, Clone = 56, Personality = 135,
        ArchPrctl = 158, Mount = 165, Keyctl = 250, KexecLoad = 246, Unshare = 272, Bpf = 321, Clone3 = 435;

    // i386
    private const uint I386Getpid = 20, I386Socketcall = 102, I386Personality = 136, I386Mmap2 = 192,
        I386KexecLoad = 283, I386Socket = 359;

    private readonly string _dir = Directory.CreateTempSubdirectory("berth-seccomp-").FullName;
    private int _files;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>The seccomp section the daemon writes for `docker run busybox` (Berth's default profile, default caps).</summary>
    private static OciSeccomp DaemonDefault(bool x32 = false) =>
        SpecBuilder.Build(SpecFixtures.Busybox(daemon: d => d with
        {
            UnusableSeccompArchitectures = x32 ? [] : ["SCMP_ARCH_X32"],
        })).Linux!.Seccomp!;

    private string NewPath() => Path.Combine(_dir, $"p{++_files}.bpf");

    private byte[] Compile(OciSeccomp profile)
    {
        string path = NewPath();
        Assert.True(SeccompBpf.TryCompile(profile, path, out string? reason), reason);
        Assert.Null(reason);
        return File.ReadAllBytes(path);
    }

    private void AssertRefused(OciSeccomp profile, string expectedInReason)
    {
        string path = NewPath();
        Assert.False(SeccompBpf.TryCompile(profile, path, out string? reason));
        Assert.Contains(expectedInReason, reason, StringComparison.Ordinal);
        Assert.False(File.Exists(path), "nothing may be written for a refused profile");
    }

    private static OciSyscall Rule(string action, params string[] names) => new() { Names = [.. names], Action = action };

    private static OciSyscallArg Arg(uint index, string op, ulong value, ulong? valueTwo = null) =>
        new() { Index = index, Op = op, Value = value, ValueTwo = valueTwo };

    private static OciSeccomp Profile(string defaultAction, params OciSyscall[] rules) => new()
    {
        DefaultAction = defaultAction,
        Architectures = ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86"],
        Syscalls = [.. rules],
    };

    [Fact]
    public void DefaultProfile_IsWhatTheSpecCarries()
    {
        OciSeccomp profile = DaemonDefault();
        Assert.Equal("SCMP_ACT_ERRNO", profile.DefaultAction);
        Assert.Equal(1u, profile.DefaultErrnoRet);
        Assert.Equal(["SCMP_ARCH_X86_64", "SCMP_ARCH_X86"], profile.Architectures);
        Assert.Contains(profile.Syscalls, r => r.Names.Contains("clone3") && r.Action == "SCMP_ACT_ERRNO" && r.ErrnoRet == 38);
    }

    [LibseccompFact]
    public void DefaultProfile_UsesOnlyTheInterpretersOpcodes_AndPassesTheKernelChecks()
    {
        byte[] program = Compile(DaemonDefault());
        Check(program);
        Assert.Subset(new SortedSet<ushort> { 0x05, 0x06, 0x15, 0x20, 0x25, 0x35, 0x45, 0x54 }, Opcodes(program));
    }

    [LibseccompTheory]
    [InlineData(Read, RetAllow)]
    [InlineData(Write, RetAllow)]
    [InlineData(Getpid, RetAllow)]
    [InlineData(ArchPrctl, RetAllow)]
    [InlineData(Mount, RetEperm)]     // CAP_SYS_ADMIN only
    [InlineData(Bpf, RetEperm)]       // CAP_SYS_ADMIN or CAP_BPF only
    [InlineData(KexecLoad, RetEperm)] // never
    [InlineData(Keyctl, RetEperm)]    // never: keyrings are not namespaced
    [InlineData(Clone3, RetEnosys)]   // the profile's own rule, so libc falls back to clone
    [InlineData(999u, RetEnosys)]     // past the profile's last call: the prologue
    public void DefaultProfile_X86_64(uint nr, uint expected) =>
        Assert.Equal(expected, Run(Compile(DaemonDefault()), AuditX86_64, nr));

    [LibseccompTheory]
    [InlineData(I386Getpid, RetAllow)]
    [InlineData(I386KexecLoad, RetEperm)]
    [InlineData(999u, RetEnosys)]
    public void DefaultProfile_I386(uint nr, uint expected) =>
        Assert.Equal(expected, Run(Compile(DaemonDefault()), AuditI386, nr));

    /// <summary>
    /// Calls that exist on i386 but not on x86_64 (mmap2, socketcall, _llseek, the *32 and *64
    /// variants) are in the profile for 32-bit programs; runc allows them.
    /// </summary>
    [LibseccompTheory]
    [InlineData(I386Mmap2)]
    [InlineData(I386Socketcall)]
    public void DefaultProfile_I386OnlyCallsAreAllowed(uint nr) =>
        Assert.Equal(RetAllow, Run(Compile(DaemonDefault()), AuditI386, nr));

    [LibseccompFact]
    public void DefaultProfile_ArchitectureNotInTheProfile_GetsLibseccompsBadArchAction()
    {
        byte[] program = Compile(DaemonDefault());
        Assert.Equal(RetKillThread, Run(program, AuditAarch64, Getpid));
        Assert.Equal(RetKillThread, Run(program, AuditAarch64, 999));
        // An x32 call while x32 is not in the profile: the prologue lets it through and libseccomp's x86_64 section refuses it.
        Assert.Equal(RetKillThread, Run(program, AuditX86_64, X32Bit | Getpid));
    }

    [LibseccompFact]
    public void DefaultProfileWithX32_X32CallsAreFilteredAndLimited()
    {
        byte[] program = Compile(DaemonDefault(x32: true));
        // The stub leans on libseccomp numbering x32 calls with the x32 bit set.
        Assert.Equal((int)(X32Bit | Getpid), LibSeccomp.ResolveSyscall(SeccompEnosysStub.ScmpArchX32, "getpid"));
        Assert.Equal(RetAllow, Run(program, AuditX86_64, X32Bit | Getpid));
        Assert.Equal(RetEperm, Run(program, AuditX86_64, X32Bit | KexecLoad));
        Assert.Equal(RetEnosys, Run(program, AuditX86_64, X32Bit | 999));
        Assert.Equal(RetAllow, Run(program, AuditX86_64, Getpid));
        Assert.Equal(RetEnosys, Run(program, AuditX86_64, 999));
    }

    [LibseccompTheory]
    [InlineData(0x0ul, RetAllow)]            // PER_LINUX
    [InlineData(0x8ul, RetAllow)]            // PER_LINUX32
    [InlineData(0x20000ul, RetAllow)]        // UNAME26
    [InlineData(0x20008ul, RetAllow)]
    [InlineData(0xfffffffful, RetAllow)]     // query
    [InlineData(0x1ul, RetEperm)]
    [InlineData(0x0040000ul, RetEperm)]      // ADDR_NO_RANDOMIZE
    [InlineData(0x1_0000_0000ul, RetEperm)]  // the high half counts on x86_64
    public void DefaultProfile_PersonalityByArgument(ulong persona, uint expected)
    {
        byte[] program = Compile(DaemonDefault());
        Assert.Equal(expected, Run(program, AuditX86_64, Personality, persona));
        if (persona <= uint.MaxValue)
        {
            Assert.Equal(expected, Run(program, AuditI386, I386Personality, persona));
        }
    }

    [LibseccompTheory]
    [InlineData(0x01200011ul, RetAllow)] // fork: CHILD_SETTID | CHILD_CLEARTID | SIGCHLD
    [InlineData(0x003d0f00ul, RetAllow)] // pthread_create
    [InlineData(0x00000080ul, RetAllow)] // 0x80 is a signal number to clone (NEWTIME only counts for unshare)
    [InlineData(0x00020000ul, RetEperm)] // CLONE_NEWNS
    [InlineData(0x10000011ul, RetEperm)] // CLONE_NEWUSER
    [InlineData(0x40000000ul, RetEperm)] // CLONE_NEWNET
    [InlineData(0x02000000ul, RetEperm)] // CLONE_NEWCGROUP
    public void DefaultProfile_CloneByFlags(ulong flags, uint expected) =>
        Assert.Equal(expected, Run(Compile(DaemonDefault()), AuditX86_64, Clone, flags));

    [LibseccompFact]
    public void DefaultProfile_UnshareAndSocketByArgument()
    {
        byte[] program = Compile(DaemonDefault());
        Assert.Equal(RetAllow, Run(program, AuditX86_64, Unshare, 0x400));  // CLONE_FILES
        Assert.Equal(RetEperm, Run(program, AuditX86_64, Unshare, 0x80));   // CLONE_NEWTIME
        foreach ((ulong family, uint expected) in new[] { (1ul, RetAllow), (2ul, RetAllow), (37ul, RetAllow), (38ul, RetEperm), (39ul, RetAllow), (40ul, RetEperm), (41ul, RetAllow) })
        {
            Assert.Equal(expected, Run(program, AuditX86_64, Socket, family));
            Assert.Equal(expected, Run(program, AuditI386, I386Socket, family));
        }
    }

    [LibseccompFact]
    public void NotifyAction_IsRefused_NothingWritten()
    {
        AssertRefused(Profile("SCMP_ACT_ERRNO", Rule("SCMP_ACT_ALLOW", "read"), Rule("SCMP_ACT_NOTIFY", "openat")), "SCMP_ACT_NOTIFY");
        AssertRefused(Profile("SCMP_ACT_NOTIFY"), "SCMP_ACT_NOTIFY");
    }

    [LibseccompFact]
    public void UnknownComparison_ArgumentIndex_OrArchitecture_AreRefused_NothingWritten()
    {
        AssertRefused(Profile("SCMP_ACT_ERRNO", new OciSyscall { Names = ["socket"], Action = "SCMP_ACT_ALLOW", Args = [Arg(0, "SCMP_CMP_SOMETIMES", 1)] }), "socket");
        AssertRefused(Profile("SCMP_ACT_ERRNO", new OciSyscall { Names = ["socket"], Action = "SCMP_ACT_ALLOW", Args = [Arg(6, "SCMP_CMP_EQ", 1)] }), "socket");
        OciSeccomp arch = Profile("SCMP_ACT_ERRNO", Rule("SCMP_ACT_ALLOW", "read"));
        arch.Architectures = ["SCMP_ARCH_X86_64", "SCMP_ARCH_PDP11"];
        AssertRefused(arch, "SCMP_ARCH_PDP11");
    }

    [LibseccompFact]
    public void PermissiveDefault_HasNoPrologue()
    {
        byte[] program = Compile(Profile("SCMP_ACT_ALLOW", new OciSyscall { Names = ["mount"], Action = "SCMP_ACT_ERRNO", ErrnoRet = 95 }));
        Assert.Equal(0x0005005Fu, Run(program, AuditX86_64, Mount));
        Assert.Equal(RetAllow, Run(program, AuditX86_64, 999));
        Assert.Equal(RetLog, Run(Compile(Profile("SCMP_ACT_LOG", Rule("SCMP_ACT_ALLOW", "read"))), AuditX86_64, 999));
    }

    [LibseccompFact]
    public void DefaultErrnoRet_AndEachAction()
    {
        OciSeccomp profile = Profile("SCMP_ACT_ERRNO",
            Rule("SCMP_ACT_ALLOW", "read"),
            Rule("SCMP_ACT_KILL_PROCESS", "mount"),
            Rule("SCMP_ACT_KILL", "bpf"),
            Rule("SCMP_ACT_TRAP", "keyctl"),
            Rule("SCMP_ACT_LOG", "getpid"),
            Rule("SCMP_ACT_ERRNO", "write"), // a rule's errno is EPERM unless it says otherwise
            new OciSyscall { Names = ["close"], Action = "SCMP_ACT_ERRNO", ErrnoRet = 13 }); // the default itself: left out (libseccomp refuses it)
        profile.DefaultErrnoRet = 13; // EACCES
        byte[] program = Compile(profile);
        Assert.Equal(RetAllow, Run(program, AuditX86_64, Read));
        Assert.Equal(RetKillProcess, Run(program, AuditX86_64, Mount));
        Assert.Equal(RetKillThread, Run(program, AuditX86_64, Bpf));
        Assert.Equal(RetTrap, Run(program, AuditX86_64, Keyctl));
        Assert.Equal(RetLog, Run(program, AuditX86_64, Getpid));
        Assert.Equal(RetEperm, Run(program, AuditX86_64, Write));
        Assert.Equal(0x0005000Du, Run(program, AuditX86_64, 3)); // close
        Assert.Equal(0x0005000Du, Run(program, AuditX86_64, Socket));
        Assert.Equal(RetEnosys, Run(program, AuditX86_64, Bpf + 1)); // past the last named call: the prologue
    }

    [LibseccompFact]
    public void UnknownSyscallNames_AreSkipped()
    {
        byte[] program = Compile(Profile("SCMP_ACT_ERRNO", Rule("SCMP_ACT_ALLOW", "no_such_call", "getpid")));
        Assert.Equal(RetAllow, Run(program, AuditX86_64, Getpid));
        Assert.Equal(RetEperm, Run(program, AuditX86_64, Read));
    }

    [LibseccompFact]
    public void ConditionsOnDifferentArguments_AllMustHold()
    {
        byte[] program = Compile(Profile("SCMP_ACT_ERRNO", new OciSyscall
        {
            Names = ["socket"],
            Action = "SCMP_ACT_ALLOW",
            Args = [Arg(0, "SCMP_CMP_EQ", 2), Arg(1, "SCMP_CMP_MASKED_EQ", 0xf, 1)], // AF_INET, SOCK_STREAM (flags ignored)
        }));
        Assert.Equal(RetAllow, Run(program, AuditX86_64, Socket, 2, 1));
        Assert.Equal(RetAllow, Run(program, AuditX86_64, Socket, 2, 0x80001)); // SOCK_CLOEXEC
        Assert.Equal(RetEperm, Run(program, AuditX86_64, Socket, 2, 2));
        Assert.Equal(RetEperm, Run(program, AuditX86_64, Socket, 10, 1));
    }

    [LibseccompFact]
    public void SeveralConditionsOnOneArgument_BecomeSeparateRules()
    {
        // runc's rule: libseccomp takes one condition per argument, so each becomes its own rule (either may match).
        byte[] program = Compile(Profile("SCMP_ACT_ERRNO", new OciSyscall
        {
            Names = ["personality"],
            Action = "SCMP_ACT_ALLOW",
            Args = [Arg(0, "SCMP_CMP_EQ", 8), Arg(0, "SCMP_CMP_EQ", 0x20000)],
        }));
        Assert.Equal(RetAllow, Run(program, AuditX86_64, Personality, 8));
        Assert.Equal(RetAllow, Run(program, AuditX86_64, Personality, 0x20000));
        Assert.Equal(RetEperm, Run(program, AuditX86_64, Personality, 0));
    }

    [LibseccompTheory]
    [InlineData("SCMP_CMP_NE", 5ul, 4ul, RetAllow)]
    [InlineData("SCMP_CMP_NE", 5ul, 5ul, RetEperm)]
    [InlineData("SCMP_CMP_LT", 5ul, 4ul, RetAllow)]
    [InlineData("SCMP_CMP_LT", 5ul, 5ul, RetEperm)]
    [InlineData("SCMP_CMP_LE", 5ul, 5ul, RetAllow)]
    [InlineData("SCMP_CMP_LE", 5ul, 6ul, RetEperm)]
    [InlineData("SCMP_CMP_GE", 5ul, 5ul, RetAllow)]
    [InlineData("SCMP_CMP_GE", 5ul, 4ul, RetEperm)]
    [InlineData("SCMP_CMP_GT", 5ul, 6ul, RetAllow)]
    [InlineData("SCMP_CMP_GT", 5ul, 5ul, RetEperm)]
    [InlineData("SCMP_CMP_GT", 5ul, 0x1_0000_0000ul, RetAllow)]
    public void Comparisons(string op, ulong value, ulong argument, uint expected)
    {
        byte[] program = Compile(Profile("SCMP_ACT_ERRNO", new OciSyscall { Names = ["personality"], Action = "SCMP_ACT_ALLOW", Args = [Arg(0, op, value)] }));
        Assert.Equal(expected, Run(program, AuditX86_64, Personality, argument));
    }
}
