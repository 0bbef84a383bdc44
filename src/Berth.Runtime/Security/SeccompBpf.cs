using Berth.Linux;
using Berth.Runtime.Spec;

namespace Berth.Runtime.Security;

/// <summary>
/// Compiles an OCI seccomp profile into a classic BPF program with libseccomp, following runc's
/// rules: the default action's errno (EPERM unless defaultErrnoRet says otherwise), unknown
/// syscall names skipped, rules whose action is the default left out, several conditions on
/// one argument split into one rule each. berth-exec loads the program, so an exec pays for no
/// compilation. One difference from runc remains: runc also patches the program so syscalls
/// newer than its libseccomp get ENOSYS; here they get the default action.
/// </summary>
public static class SeccompBpf
{
    private const uint ActKillProcess = 0x80000000;
    private const uint ActKillThread = 0x00000000;
    private const uint ActTrap = 0x00030000;
    private const uint ActErrno = 0x00050000;
    private const uint ActTrace = 0x7ff00000;
    private const uint ActLog = 0x7ffc0000;
    private const uint ActAllow = 0x7fff0000;
    private const uint DefaultErrno = 1; // EPERM
    private const int EExist = 17;
    private const uint Enosys = 38;

    /// <summary>Writes the program (struct sock_filter[]) to a new file at <paramref name="path"/>; false with the reason it cannot be built here.</summary>
    public static bool TryCompile(OciSeccomp profile, string path, out string? reason)
    {
        if (Action(profile.DefaultAction, profile.DefaultErrnoRet) is not uint defaultAction)
        {
            reason = "unsupported default action " + profile.DefaultAction;
            return false;
        }
        try
        {
            using var filter = new LibSeccomp(defaultAction);
            reason = AddArchitectures(filter, profile.Architectures ?? []) ?? AddRules(filter, profile, defaultAction);
            if (reason is null)
            {
                using (var file = File.Open(path, FileMode.CreateNew, FileAccess.Write))
                {
                    int rc = filter.Export(file.SafeFileHandle);
                    reason = rc == 0 ? null : "seccomp_export_bpf failed: " + rc;
                }
                byte[] stub = reason is null ? EnosysStub(profile, defaultAction) : [];
                if (stub.Length > 0)
                {
                    File.WriteAllBytes(path, [.. stub, .. File.ReadAllBytes(path)]);
                }
            }
            return reason is null;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException or InvalidOperationException)
        {
            reason = "libseccomp: " + e.Message;
            return false;
        }
    }

    /// <summary>runc's ENOSYS prologue, under runc's conditions: not for a permissive default, nor one that already answers ENOSYS.</summary>
    private static byte[] EnosysStub(OciSeccomp profile, uint defaultAction)
    {
        if (defaultAction is ActAllow or ActLog || (defaultAction & 0xffff0000) == ActTrace || defaultAction == (ActErrno | Enosys))
        {
            return [];
        }
        var tokens = new HashSet<uint>((profile.Architectures ?? []).Select(a => LibSeccomp.ResolveArchitecture(ArchName(a))).Where(t => t != 0))
        {
            LibSeccomp.NativeArchitecture(),
        };
        var limits = new List<SeccompEnosysStub.ArchLimit>();
        foreach (uint token in tokens)
        {
            int largest = profile.Syscalls.SelectMany(r => r.Names).Select(n => LibSeccomp.ResolveSyscall(token, n)).DefaultIfEmpty(-1).Max();
            if (largest > 0)
            {
                limits.Add(new SeccompEnosysStub.ArchLimit(token, (uint)largest));
            }
        }
        return SeccompEnosysStub.Build(limits);
    }

    private static string? AddArchitectures(LibSeccomp filter, IReadOnlyList<string> architectures)
    {
        foreach (string name in architectures)
        {
            uint token = LibSeccomp.ResolveArchitecture(ArchName(name));
            if (token == 0)
            {
                return "unknown architecture " + name;
            }
            int rc = filter.AddArchitecture(token);
            if (rc != 0 && rc != -EExist) // the native one is there from the start
            {
                return $"adding architecture {name}: {rc}";
            }
        }
        return null;
    }

    private static string? AddRules(LibSeccomp filter, OciSeccomp profile, uint defaultAction)
    {
        foreach (OciSyscall rule in profile.Syscalls)
        {
            if (Action(rule.Action, rule.ErrnoRet) is not uint action)
            {
                return "unsupported action " + rule.Action;
            }
            if (action == defaultAction)
            {
                continue;
            }
            if (Conditions(rule.Args ?? []) is not { } conditions)
            {
                return "unsupported argument condition in the rule for " + string.Join(',', rule.Names);
            }
            // libseccomp takes one condition per argument in a rule: more become separate rules (runc does the same).
            bool split = conditions.Select(c => c.Arg).Distinct().Count() < conditions.Length;
            foreach (string name in rule.Names)
            {
                // A name absent on the native architecture but present on another (i386's mmap2)
                // resolves to a negative pseudo-number that libseccomp maps per architecture; only
                // __NR_SCMP_ERROR (-1) means unknown, which runc skips too.
                int number = LibSeccomp.ResolveSyscall(name);
                if (number == -1)
                {
                    continue;
                }
                int rc = 0;
                if (split)
                {
                    for (int i = 0; i < conditions.Length && rc == 0; i++)
                    {
                        rc = filter.AddRule(action, number, conditions.AsSpan(i, 1));
                    }
                }
                else
                {
                    rc = filter.AddRule(action, number, conditions);
                }
                if (rc != 0)
                {
                    return $"adding a rule for {name}: {rc}";
                }
            }
        }
        return null;
    }

    /// <summary>OCI "SCMP_ARCH_X86_64" is libseccomp's "x86_64".</summary>
    internal static string ArchName(string oci) =>
        (oci.StartsWith("SCMP_ARCH_", StringComparison.Ordinal) ? oci["SCMP_ARCH_".Length..] : oci).ToLowerInvariant();

    internal static uint? Action(string name, uint? errno) => name switch
    {
        "SCMP_ACT_KILL" or "SCMP_ACT_KILL_THREAD" => ActKillThread,
        "SCMP_ACT_KILL_PROCESS" => ActKillProcess,
        "SCMP_ACT_TRAP" => ActTrap,
        "SCMP_ACT_ERRNO" => ActErrno | ((errno ?? DefaultErrno) & 0xffff),
        "SCMP_ACT_TRACE" => ActTrace | ((errno ?? DefaultErrno) & 0xffff),
        "SCMP_ACT_LOG" => ActLog,
        "SCMP_ACT_ALLOW" => ActAllow,
        _ => null, // SCMP_ACT_NOTIFY needs a listener: runc's business
    };

    internal static SeccompArgCondition[]? Conditions(IReadOnlyList<OciSyscallArg> args)
    {
        var conditions = new SeccompArgCondition[args.Count];
        for (int i = 0; i < args.Count; i++)
        {
            int op = args[i].Op switch
            {
                "SCMP_CMP_NE" => 1,
                "SCMP_CMP_LT" => 2,
                "SCMP_CMP_LE" => 3,
                "SCMP_CMP_EQ" => 4,
                "SCMP_CMP_GE" => 5,
                "SCMP_CMP_GT" => 6,
                "SCMP_CMP_MASKED_EQ" => 7,
                _ => 0,
            };
            if (op == 0 || args[i].Index > 5)
            {
                return null;
            }
            conditions[i] = new SeccompArgCondition(args[i].Index, op, args[i].Value, args[i].ValueTwo ?? 0);
        }
        return conditions;
    }
}
