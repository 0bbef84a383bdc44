namespace Berth.Runtime.Security;

/// <summary>
/// Berth's default seccomp profile: deny by default with EPERM, allow what ordinary
/// programs use, and grant the system-administration calls only to containers that also
/// hold the capability the kernel would check (so cap-add keeps working). Calls that no
/// capability makes safe inside a container — kexec, swap, the obsolete _sysctl/ustat/uselib
/// family, keyrings (not namespaced), userfaultfd, io_uring — are never allowed.
/// </summary>
public static class DefaultSeccompProfile
{
    private const uint Eperm = 1;
    private const uint Enosys = 38;

    /// <summary>clone/unshare flags that create namespaces (CLONE_NEW*, incl. NEWTIME for unshare).</summary>
    private const ulong NamespaceFlags = 0x7E020000;
    private const ulong NamespaceFlagsWithTime = NamespaceFlags | 0x80;

    public static SeccompProfile Create() => new()
    {
        DefaultAction = "SCMP_ACT_ERRNO",
        DefaultErrnoRet = Eperm,
        ArchMap =
        [
            new() { Architecture = "SCMP_ARCH_X86_64", SubArchitectures = ["SCMP_ARCH_X86", "SCMP_ARCH_X32"] },
            new() { Architecture = "SCMP_ARCH_AARCH64", SubArchitectures = ["SCMP_ARCH_ARM"] },
        ],
        Syscalls = Rules(),
    };

    private static List<SeccompRule> Rules()
    {
        var rules = new List<SeccompRule>
        {
            Allow(DefaultSeccompSyscalls.Unconditional),
            // ptrace could bypass seccomp before 4.8 (the tracer could change the syscall after
            // the filter ran); from 4.8 on the filter re-runs, and ptrace inside the container's
            // own pid namespace is harmless.
            Allow(["ptrace", "process_vm_readv", "process_vm_writev"], includes: new() { MinKernel = "4.8" }),
            // socket: everything but AF_ALG (38, kernel crypto API attack surface) and
            // AF_VSOCK (40, reaches the hypervisor). One argument per rule keeps libseccomp happy.
            Allow(["socket"], args: [Arg(0, 38, "SCMP_CMP_LT")]),
            Allow(["socket"], args: [Arg(0, 39, "SCMP_CMP_EQ")]),
            Allow(["socket"], args: [Arg(0, 40, "SCMP_CMP_GT")]),
            // clone without namespace flags is fork/threads; with them it is the container
            // escape toolkit unless the container is trusted with CAP_SYS_ADMIN.
            Allow(["clone"], args: [Arg(0, 0, "SCMP_CMP_MASKED_EQ", NamespaceFlags)], excludes: new() { Caps = ["CAP_SYS_ADMIN"] }),
            Allow(["unshare"], args: [Arg(0, 0, "SCMP_CMP_MASKED_EQ", NamespaceFlagsWithTime)], excludes: new() { Caps = ["CAP_SYS_ADMIN"] }),
            // clone3 passes its flags in memory seccomp cannot read: answer ENOSYS so libc
            // falls back to clone, which the rule above can inspect.
            new() { Names = ["clone3"], Action = "SCMP_ACT_ERRNO", ErrnoRet = Enosys, Excludes = new() { Caps = ["CAP_SYS_ADMIN"] } },
        };
        // personality: only the execution domains libc and setarch legitimately use —
        // PER_LINUX, PER_LINUX32, UNAME26, PER_LINUX32|UNAME26, and 0xffffffff (query).
        foreach (ulong persona in new ulong[] { 0x0, 0x8, 0x20000, 0x20008, 0xffffffff })
        {
            rules.Add(Allow(["personality"], args: [Arg(0, persona, "SCMP_CMP_EQ")]));
        }
        rules.Add(Allow(["arch_prctl"], includes: new() { Arches = ["amd64", "x32"] }));
        rules.Add(Allow(["modify_ldt"], includes: new() { Arches = ["amd64", "x32", "x86"] }));
        rules.Add(Allow(["arm_fadvise64_64", "arm_sync_file_range", "sync_file_range2", "breakpoint", "cacheflush", "set_tls"],
            includes: new() { Arches = ["arm", "arm64"] }));
        foreach ((string cap, string[] names) in DefaultSeccompSyscalls.ByCapability)
        {
            rules.Add(Allow(names, includes: new() { Caps = [cap] }));
        }
        return rules;
    }

    private static SeccompRule Allow(
        IEnumerable<string> names,
        Spec.OciSyscallArg[]? args = null,
        SeccompFilter? includes = null,
        SeccompFilter? excludes = null) => new()
        {
            Names = [.. names],
            Action = "SCMP_ACT_ALLOW",
            Args = args is null ? null : [.. args],
            Includes = includes,
            Excludes = excludes,
        };

    private static Spec.OciSyscallArg Arg(uint index, ulong value, string op, ulong? mask = null) =>
        mask is null
            ? new() { Index = index, Value = value, Op = op }
            : new() { Index = index, Value = mask.Value, ValueTwo = value, Op = op };
}
