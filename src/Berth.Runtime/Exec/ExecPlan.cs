using System.Globalization;
using System.Text;
using Berth.Runtime.Security;
using Berth.Runtime.Spec;

namespace Berth.Runtime.Exec;

/// <summary>
/// What berth-exec needs besides the process object: where the container runs, and the HOME to
/// add when the process env has none (runc sets it from the container's passwd).
/// </summary>
public sealed record ExecPlanTarget(
    string ContainerId,
    int InitPid,
    ulong InitStartTime,
    IReadOnlyList<string> CgroupProcsFiles,
    string? SeccompProgram,
    uint SeccompFlags,
    string? Home = null);

/// <summary>
/// The plan berth-exec runs from (native/berth-exec): NUL-separated key and value strings, so
/// arguments and environment values may hold any byte but NUL (which execve cannot pass
/// anyway). Pure: which execs qualify, and the encoding.
/// </summary>
public static class ExecPlan
{
    public const string FileName = "exec.plan";

    private static readonly Dictionary<string, int> RlimitNumbers = new(StringComparer.Ordinal)
    {
        ["RLIMIT_CPU"] = 0, ["RLIMIT_FSIZE"] = 1, ["RLIMIT_DATA"] = 2, ["RLIMIT_STACK"] = 3,
        ["RLIMIT_CORE"] = 4, ["RLIMIT_RSS"] = 5, ["RLIMIT_NPROC"] = 6, ["RLIMIT_NOFILE"] = 7,
        ["RLIMIT_MEMLOCK"] = 8, ["RLIMIT_AS"] = 9, ["RLIMIT_LOCKS"] = 10, ["RLIMIT_SIGPENDING"] = 11,
        ["RLIMIT_MSGQUEUE"] = 12, ["RLIMIT_NICE"] = 13, ["RLIMIT_RTPRIO"] = 14, ["RLIMIT_RTTIME"] = 15,
    };

    /// <summary>
    /// Why runc must run this exec instead, or null when berth-exec can: it knows no terminals,
    /// user namespaces, LSM labels or seccomp listeners.
    /// </summary>
    public static string? Unsupported(OciSpec container, OciProcess process)
    {
        if (process.Terminal)
        {
            return "a terminal";
        }
        if (process.Args.Count == 0 || process.Args.Concat(process.Env).Append(process.Cwd).Any(s => s.Contains('\0', StringComparison.Ordinal)))
        {
            return "no program or a NUL byte"; // runc's error then
        }
        OciLinux? linux = container.Linux;
        if (linux is null)
        {
            return "no linux section";
        }
        if (linux.UidMappings is { Count: > 0 } || linux.GidMappings is { Count: > 0 } || linux.Namespaces.Any(n => n.Type == "user"))
        {
            return "a user namespace";
        }
        if (!string.IsNullOrEmpty(process.ApparmorProfile) || !string.IsNullOrEmpty(process.SelinuxLabel))
        {
            return "an LSM label";
        }
        if (linux.Seccomp is { } seccomp && SeccompFlags(seccomp.Flags) is null)
        {
            return "seccomp flags";
        }
        if (process.Rlimits?.Any(r => !RlimitNumbers.ContainsKey(r.Type)) == true)
        {
            return "an unknown rlimit";
        }
        OciCapabilities caps = process.Capabilities ?? new OciCapabilities();
        if (new[] { caps.Bounding, caps.Effective, caps.Permitted, caps.Inheritable, caps.Ambient }.Any(set => Mask(set) is null))
        {
            return "an unknown capability";
        }
        return null;
    }

    /// <summary>SECCOMP_FILTER_FLAG_* bits for the profile's flags; null for one berth-exec does not pass.</summary>
    public static uint? SeccompFlags(IReadOnlyList<string>? flags)
    {
        uint bits = 0;
        foreach (string flag in flags ?? [])
        {
            switch (flag)
            {
                case "SECCOMP_FILTER_FLAG_TSYNC":
                    break; // one thread: nothing to synchronise
                case "SECCOMP_FILTER_FLAG_LOG":
                    bits |= 2;
                    break;
                case "SECCOMP_FILTER_FLAG_SPEC_ALLOW":
                    bits |= 4;
                    break;
                default:
                    return null;
            }
        }
        return bits;
    }

    /// <summary>The plan's bytes. Call only when <see cref="Unsupported"/> said null.</summary>
    public static byte[] Build(OciProcess process, ExecPlanTarget target)
    {
        var plan = new StringBuilder();
        Add(plan, "pid", Number(target.InitPid));
        Add(plan, "start", Number(target.InitStartTime));
        foreach (string procs in target.CgroupProcsFiles)
        {
            Add(plan, "cgroup", procs);
        }
        Add(plan, "nnp", process.NoNewPrivileges ? "1" : "0");
        if (target.SeccompProgram is { } program)
        {
            Add(plan, "seccomp", program);
            Add(plan, "seccomp-flags", Number(target.SeccompFlags));
        }
        Add(plan, "uid", Number(process.User.Uid));
        Add(plan, "gid", Number(process.User.Gid));
        foreach (uint gid in process.User.AdditionalGids ?? [])
        {
            Add(plan, "group", Number(gid));
        }
        if (process.User.Umask is uint umask)
        {
            Add(plan, "umask", Number(umask));
        }
        OciCapabilities caps = process.Capabilities ?? new OciCapabilities();
        Add(plan, "cap-bounding", Number(Mask(caps.Bounding) ?? 0));
        Add(plan, "cap-effective", Number(Mask(caps.Effective) ?? 0));
        Add(plan, "cap-permitted", Number(Mask(caps.Permitted) ?? 0));
        Add(plan, "cap-inheritable", Number(Mask(caps.Inheritable) ?? 0));
        Add(plan, "cap-ambient", Number(Mask(caps.Ambient) ?? 0));
        foreach (OciRlimit limit in process.Rlimits ?? [])
        {
            Add(plan, "rlimit", $"{Number(RlimitNumbers[limit.Type])} {Number(limit.Soft)} {Number(limit.Hard)}");
        }
        if (process.OomScoreAdj is int oom)
        {
            Add(plan, "oom", oom.ToString(CultureInfo.InvariantCulture));
        }
        // runc joins a session keyring named after the container (unless noNewKeyring, which dockerd never sets).
        Add(plan, "keyring", "_ses." + target.ContainerId);
        Add(plan, "cwd", process.Cwd);
        foreach (string arg in process.Args)
        {
            Add(plan, "arg", arg);
        }
        foreach (string variable in process.Env)
        {
            Add(plan, "env", variable);
        }
        if (target.Home is { } home && !process.Env.Any(e => e.StartsWith("HOME=", StringComparison.Ordinal)))
        {
            Add(plan, "env", "HOME=" + home);
        }
        return Encoding.UTF8.GetBytes(plan.ToString());
    }

    /// <summary>Capability names as a bit mask (bit n = capability n); null when a name is unknown.</summary>
    public static ulong? Mask(IReadOnlyList<string>? names)
    {
        ulong mask = 0;
        foreach (string name in names ?? [])
        {
            int bit = IndexOf(name);
            if (bit < 0)
            {
                return null;
            }
            mask |= 1UL << bit;
        }
        return mask;
    }

    private static int IndexOf(string name)
    {
        for (int i = 0; i < Capabilities.Known.Count; i++)
        {
            if (string.Equals(Capabilities.Known[i], name, StringComparison.Ordinal))
            {
                return i;
            }
        }
        return -1;
    }

    private static void Add(StringBuilder plan, string key, string value)
    {
        if (value.Contains('\0', StringComparison.Ordinal))
        {
            throw new ArgumentException($"exec plan value for {key} holds a NUL byte", nameof(value));
        }
        plan.Append(key).Append('\0').Append(value).Append('\0');
    }

    private static string Number(ulong value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);
}
