namespace Berth.Engine.Errors;

/// <summary>Texts of the OCI spec builder; where dockerd (or runc) has a text, it is theirs.</summary>
public static partial class Messages
{
    /// <summary>daemon mergeAndVerifyConfig: neither Entrypoint nor Cmd after merging the image.</summary>
    public const string NoCommandSpecified = "no command specified";

    /// <summary>caps.NormalizeLegacyCapabilities (Go %q of the normalised name).</summary>
    public static string UnknownCapability(string name) => $"unknown capability: {GoQuote(name)}";

    public static string CapabilityNotAvailable(string name) =>
        $"capability not supported by your kernel or not available in the current environment: {GoQuote(name)}";

    /// <summary>moby/sys/user GetExecUser: a user name that passwd does not have.</summary>
    public static string UserNotFound(string user) => $"unable to find user {user}: no matching entries in passwd file";

    public static string GroupNotFound(string group) => $"unable to find group {group}: no matching entries in group file";

    /// <summary>moby/sys/user ErrRange.</summary>
    public const string UserIdRange = "uids and gids must be in range 0-2147483647";

    /// <summary>daemon parseSecurityOpt.</summary>
    public static string InvalidSecurityOpt1(string opt) => $"invalid --security-opt 1: {GoQuote(opt)}";

    public static string InvalidSecurityOpt2(string opt) => $"invalid --security-opt 2: {GoQuote(opt)}";

    /// <summary>runc's sysctl validation, which is what a docker user sees for these.</summary>
    public static string SysctlNotNamespaced(string key) => $"sysctl {GoQuote(key)} is not in a separate kernel namespace";

    public static string SysctlHostIpc(string key) => $"sysctl {GoQuote(key)} is not allowed in the hosts ipc namespace";

    public static string SysctlHostNetwork(string key) => $"sysctl {GoQuote(key)} is not allowed in the hosts network namespace";

    public static string SysctlHostname(string key) =>
        $"sysctl {GoQuote(key)} is not allowed as it conflicts with the OCI \"hostname\" field";

    public static string InvalidNamespaceMode(string what, string mode) => $"invalid {what} mode: {mode}";

    public static string InvalidCgroupnsMode(string mode) => $"invalid cgroup namespace mode: {mode}";

    public static string InvalidCpuShares(long shares) =>
        $"invalid CPU shares ({shares}): value must be a positive integer";

    /// <summary>mount.MergeTmpfsOptions.</summary>
    public static string InvalidTmpfsOption(string option) => $"invalid tmpfs option {GoQuote(option)}";

    public static string DeviceGatherFailed(string path, string detail) =>
        $"error gathering device information while adding custom device {GoQuote(path)}: {detail}";

    public static string InvalidUlimit(string name) => $"invalid ulimit type: {name}";

    /// <summary>moby/profiles seccomp LoadProfile / setupSeccomp.</summary>
    public static string SeccompDecodeFailed(string detail) => $"Decoding seccomp profile failed: {detail}";

    public const string SeccompArchAndArchMap =
        "both 'architectures' and 'archMap' are specified in the seccomp profile, use either 'architectures' or 'archMap'";

    public const string SeccompNameAndNames =
        "both 'name' and 'names' are specified in the seccomp profile, use either 'name' or 'names'";
}
