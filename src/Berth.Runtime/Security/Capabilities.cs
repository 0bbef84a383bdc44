using System.Globalization;
using Berth.Engine.Errors;

namespace Berth.Runtime.Security;

/// <summary>
/// Linux capability names, Docker's default set, and dockerd's CapAdd/CapDrop rules
/// (caps.TweakCapabilities). "Available" means in the daemon's own bounding set: a
/// container can never hold a capability the daemon lacks, so asking for one is refused up
/// front and "ALL"/privileged are clamped to what the daemon has, as dockerd does.
/// </summary>
public static class Capabilities
{
    public const string All = "ALL";

    /// <summary>Capability names indexed by their number (linux/capability.h).</summary>
    public static readonly IReadOnlyList<string> Known =
    [
        "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER", "CAP_FSETID",
        "CAP_KILL", "CAP_SETGID", "CAP_SETUID", "CAP_SETPCAP", "CAP_LINUX_IMMUTABLE",
        "CAP_NET_BIND_SERVICE", "CAP_NET_BROADCAST", "CAP_NET_ADMIN", "CAP_NET_RAW", "CAP_IPC_LOCK",
        "CAP_IPC_OWNER", "CAP_SYS_MODULE", "CAP_SYS_RAWIO", "CAP_SYS_CHROOT", "CAP_SYS_PTRACE",
        "CAP_SYS_PACCT", "CAP_SYS_ADMIN", "CAP_SYS_BOOT", "CAP_SYS_NICE", "CAP_SYS_RESOURCE",
        "CAP_SYS_TIME", "CAP_SYS_TTY_CONFIG", "CAP_MKNOD", "CAP_LEASE", "CAP_AUDIT_WRITE",
        "CAP_AUDIT_CONTROL", "CAP_SETFCAP", "CAP_MAC_OVERRIDE", "CAP_MAC_ADMIN", "CAP_SYSLOG",
        "CAP_WAKE_ALARM", "CAP_BLOCK_SUSPEND", "CAP_AUDIT_READ", "CAP_PERFMON", "CAP_BPF",
        "CAP_CHECKPOINT_RESTORE",
    ];

    /// <summary>Docker's default container capabilities, in dockerd's order.</summary>
    public static readonly IReadOnlyList<string> Default =
    [
        "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER", "CAP_MKNOD", "CAP_NET_RAW",
        "CAP_SETGID", "CAP_SETUID", "CAP_SETFCAP", "CAP_SETPCAP", "CAP_NET_BIND_SERVICE",
        "CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE",
    ];

    /// <summary>Every known capability, for a host whose bounding set is unknown.</summary>
    public static IReadOnlyList<string> AllKnown => Known;

    /// <summary>
    /// Names from a /proc/[pid]/status mask such as CapBnd ("000001fffeffffff"), in number
    /// order. Bits beyond the names we know are ignored (a newer kernel than this table).
    /// </summary>
    public static IReadOnlyList<string> FromMask(string hexMask)
    {
        ulong mask = ulong.Parse(hexMask.Trim(), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
        var names = new List<string>();
        for (int bit = 0; bit < Known.Count; bit++)
        {
            if ((mask & (1UL << bit)) != 0)
            {
                names.Add(Known[bit]);
            }
        }
        return names;
    }

    /// <summary>The CapBnd line of a /proc/self/status text, or null when absent.</summary>
    public static IReadOnlyList<string>? FromProcStatus(string statusText)
    {
        foreach (string line in statusText.Split('\n'))
        {
            if (line.StartsWith("CapBnd:", StringComparison.Ordinal))
            {
                return FromMask(line["CapBnd:".Length..]);
            }
        }
        return null;
    }

    /// <summary>
    /// Upper-cases, adds the CAP_ prefix, keeps "ALL"; unknown names and names the host
    /// lacks are InvalidParameter with dockerd's texts.
    /// </summary>
    public static List<string> Normalize(IEnumerable<string> names, IReadOnlyCollection<string> available)
    {
        var result = new List<string>();
        foreach (string raw in names)
        {
            string c = raw.ToUpperInvariant();
            if (c == All)
            {
                result.Add(c);
                continue;
            }
            if (!c.StartsWith("CAP_", StringComparison.Ordinal))
            {
                c = "CAP_" + c;
            }
            if (!Known.Contains(c))
            {
                throw DaemonException.InvalidParameter(Messages.UnknownCapability(c));
            }
            if (!available.Contains(c))
            {
                throw DaemonException.InvalidParameter(Messages.CapabilityNotAvailable(c));
            }
            result.Add(c);
        }
        return result;
    }

    /// <summary>
    /// dockerd's TweakCapabilities: privileged → everything available; cap-add ALL → all
    /// available minus drops; cap-drop ALL → only the adds; otherwise defaults − drops + adds.
    /// The defaults are also clamped, so a host without e.g. CAP_MKNOD still starts containers.
    /// </summary>
    public static List<string> Tweak(
        IReadOnlyList<string> basics,
        IEnumerable<string> adds,
        IEnumerable<string> drops,
        bool privileged,
        IReadOnlyCollection<string> available)
    {
        if (privileged)
        {
            return Known.Where(available.Contains).ToList();
        }
        List<string> capDrop = Normalize(drops, available);
        List<string> capAdd = Normalize(adds, available);
        List<string> caps;
        if (capAdd.Contains(All))
        {
            caps = Known.Where(c => available.Contains(c) && !capDrop.Contains(c)).ToList();
        }
        else if (capDrop.Contains(All))
        {
            caps = capAdd;
        }
        else
        {
            caps = basics.Where(c => available.Contains(c) && !capDrop.Contains(c)).ToList();
            caps.AddRange(capAdd);
        }
        // Duplicates (cap-add of a default) are harmless to runc but noisy; keep first.
        return caps.Distinct(StringComparer.Ordinal).ToList();
    }
}
