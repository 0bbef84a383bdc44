namespace Berth.Runtime.Cgroups;

/// <summary>Picks the manager for the host's layout.</summary>
public static class CgroupManagers
{
    /// <summary>
    /// v2 when the root itself is the unified hierarchy, else v1. A hybrid host (v1 controllers
    /// plus a cgroup2 "unified" mount for systemd) is v1, as runc sees it.
    /// </summary>
    public static ICgroupManager ForHost(string root = CgroupFs.DefaultRoot) =>
        File.Exists(Path.Combine(root, "cgroup.controllers")) ? new CgroupV2(root) : new CgroupV1(root);
}
