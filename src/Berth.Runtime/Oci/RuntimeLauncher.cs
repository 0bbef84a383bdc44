namespace Berth.Runtime.Oci;

/// <summary>
/// How berthd launches a runtime binary. Normally directly. crun refuses every container on a
/// hybrid cgroup host whose cgroup2 hierarchy (/sys/fs/cgroup/unified) holds a controller —
/// "cgroups in hybrid mode not supported, drop all controllers from cgroupv2" — even though the
/// v1 hierarchies it would use are complete (this machine: hugetlb is only on cgroup2). runc
/// ignores the v2 part there. Such a crun runs in a mount namespace of its own in which a
/// small tmpfs hides the cgroup2 mount, so it sees a plain v1 host (it still mirrors its v1
/// cgroup into "unified", /proc/self/cgroup's 0:: line: those directories land in the
/// throwaway tmpfs, so it must be writable); the namespace is a
/// slave of the host's (host mounts still reach it, its own tmpfs never reaches the host) and
/// ends with the crun process. The container's namespaces are crun's as usual.
/// </summary>
public static class RuntimeLauncher
{
    public const string UnifiedMount = "/sys/fs/cgroup/unified";

    /// <summary>Whether <paramref name="traits"/>' runtime needs the cgroup2 mount hidden on a host whose unified controllers are <paramref name="unifiedControllers"/> (null: no such mount).</summary>
    public static bool NeedsHiddenCgroup2(RuntimeTraits traits, string? unifiedControllers) =>
        traits.IsCrun && !string.IsNullOrWhiteSpace(unifiedControllers);

    /// <summary>
    /// The command that runs <paramref name="binary"/> with the cgroup2 mount hidden; the
    /// runtime's own arguments follow it (conmon gets everything after the first word as
    /// --runtime-arg). The binary becomes the shell's $0, so no quoting of it is needed.
    /// </summary>
    public static IReadOnlyList<string> HiddenCgroup2(string unshare, string shell, string binary) =>
    [
        unshare, "--mount", "--propagation", "slave", "--", shell, "-c",
        $"mount -t tmpfs -o size=64k,mode=755 berth-hide-cgroup2 {UnifiedMount} && exec \"$0\" \"$@\"",
        binary,
    ];

    /// <summary>The controllers of the host's hybrid cgroup2 mount, or null when there is none (pure v1 or pure v2).</summary>
    public static string? ReadUnifiedControllers()
    {
        try
        {
            return File.ReadAllText(Path.Combine(UnifiedMount, "cgroup.controllers")).Trim();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
