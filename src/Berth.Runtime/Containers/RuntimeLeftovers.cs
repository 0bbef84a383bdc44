namespace Berth.Runtime.Containers;

/// <summary>A conmon process found in /proc: its pid and the container id it monitors (-c).</summary>
public readonly record struct MonitorProcess(int Pid, string ContainerId);

/// <summary>What a start-up scan found on the host that belongs to this daemon's runtime state.</summary>
public sealed record RuntimeLeftovers
{
    /// <summary>Names of &lt;exec-root&gt;/containers/* (bundles).</summary>
    public IReadOnlyList<string> Bundles { get; init; } = [];
    /// <summary>Names in the shared exit dir.</summary>
    public IReadOnlyList<string> ExitFiles { get; init; } = [];
    /// <summary>Names in the attach-socket link dir.</summary>
    public IReadOnlyList<string> SocketLinks { get; init; } = [];
    /// <summary>Container ids in the OCI runtime's private root.</summary>
    public IReadOnlyList<string> RuntimeContainers { get; init; } = [];
    /// <summary>Mount points at or below &lt;exec-root&gt;/containers/.</summary>
    public IReadOnlyList<string> Mounts { get; init; } = [];
    public IReadOnlyList<MonitorProcess> Monitors { get; init; } = [];
    /// <summary>Leaf names under the daemon's cgroup parent ("&lt;id&gt;", "conmon-&lt;id&gt;").</summary>
    public IReadOnlyList<string> Cgroups { get; init; } = [];
}

/// <summary>What to remove, in execution order (kill, runtime delete, unmount, delete, cgroups).</summary>
public sealed record LeftoverPlan(
    IReadOnlyList<MonitorProcess> KillMonitors,
    IReadOnlyList<string> DeleteRuntimeContainers,
    IReadOnlyList<string> Unmount,
    IReadOnlyList<string> DeleteBundles,
    IReadOnlyList<string> DeleteExitFiles,
    IReadOnlyList<string> DeleteSocketLinks,
    IReadOnlyList<string> RemoveCgroups)
{
    public bool IsEmpty => KillMonitors.Count + DeleteRuntimeContainers.Count + Unmount.Count + DeleteBundles.Count
        + DeleteExitFiles.Count + DeleteSocketLinks.Count + RemoveCgroups.Count == 0;

    /// <summary>
    /// Everything that belongs to a container not in <paramref name="keep"/> goes. Only names
    /// shaped like container ids (64 hex) are considered: nothing else in those places is ours
    /// to judge. Mounts come deepest first so nested mounts are undone before their parents.
    /// </summary>
    public static LeftoverPlan For(RuntimeLeftovers found, IReadOnlySet<string> keep, string containersDir)
    {
        bool Orphan(string id) => IsContainerId(id) && !keep.Contains(id);
        string prefix = containersDir.TrimEnd('/') + "/";
        var mounts = found.Mounts
            .Where(m => m.StartsWith(prefix, StringComparison.Ordinal) && Orphan(FirstSegment(m[prefix.Length..])))
            .Distinct(StringComparer.Ordinal)
            .OrderByDescending(m => m.Count(c => c == '/')).ThenByDescending(m => m, StringComparer.Ordinal)
            .ToList();
        return new LeftoverPlan(
            [.. found.Monitors.Where(m => Orphan(m.ContainerId))],
            [.. found.RuntimeContainers.Where(Orphan)],
            mounts,
            [.. found.Bundles.Where(Orphan)],
            [.. found.ExitFiles.Where(Orphan)],
            [.. found.SocketLinks.Where(Orphan)],
            [.. found.Cgroups.Where(c => Orphan(c.StartsWith("conmon-", StringComparison.Ordinal) ? c["conmon-".Length..] : c))]);
    }

    public static bool IsContainerId(string name) => name.Length == 64 && name.All(char.IsAsciiHexDigitLower);

    private static string FirstSegment(string relative)
    {
        int slash = relative.IndexOf('/', StringComparison.Ordinal);
        return slash < 0 ? relative : relative[..slash];
    }
}
