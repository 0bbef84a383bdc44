using Berth.Linux;
using Berth.Runtime.Cgroups;
using Berth.Runtime.Oci;

namespace Berth.Runtime.Containers;

/// <summary>Where one daemon's runtime state lives on the host (one state root per configured runtime).</summary>
public sealed record RuntimeLocations(string ExecRoot, IReadOnlyList<string> RuntimeRoots, string CgroupParent, string CgroupRoot = CgroupFs.DefaultRoot)
{
    public string ContainersDir => Path.Combine(ExecRoot, "containers");
    public string ExitDir => Path.Combine(ExecRoot, "exits");
    public string SocketDir => Path.Combine(ExecRoot, "s");
}

/// <summary>
/// Start-up reconciliation of runtime state with the container store: scans the host (exec
/// root, /proc, mountinfo, the runtime root, cgroups) and removes what belongs to no container
/// with a live monitor. The decision is <see cref="LeftoverPlan.For"/> (pure); this is the
/// thin executor around it.
/// </summary>
public static class LeftoverSweeper
{
    public static RuntimeLeftovers Scan(RuntimeLocations at) => new()
    {
        Bundles = Names(at.ContainersDir, directories: true),
        ExitFiles = Names(at.ExitDir, directories: false),
        SocketLinks = Names(at.SocketDir, directories: null),
        RuntimeContainers = [.. at.RuntimeRoots.SelectMany(root => Names(root, directories: true)).Distinct(StringComparer.Ordinal)],
        Mounts = MountPointsUnder(at.ContainersDir),
        Monitors = MonitorsUnder(at.ExecRoot),
        Cgroups = CgroupLeaves(at.CgroupParent, at.CgroupRoot),
    };

    /// <summary>Runs the plan; returns one line per thing removed. Each step is best effort.</summary>
    public static async Task<IReadOnlyList<string>> ExecuteAsync(LeftoverPlan plan, RuntimeLocations at, IReadOnlyList<IOciRuntime> runtimes, CancellationToken cancellationToken)
    {
        var done = new List<string>();
        foreach (var monitor in plan.KillMonitors)
        {
            if (Libc.Kill(monitor.Pid, Libc.SIGKILL))
            {
                done.Add($"monitor pid {monitor.Pid} of {monitor.ContainerId}");
            }
        }
        foreach (string id in plan.DeleteRuntimeContainers)
        {
            // Only the runtime whose root holds the id knows it (runc and crun state differ).
            foreach (IOciRuntime runtime in runtimes.Where(r => Directory.Exists(Path.Combine(r.Root, id))))
            {
                try
                {
                    // --force kills what still runs in the container, then removes its state and cgroup.
                    await runtime.DeleteAsync(id, force: true, cancellationToken).ConfigureAwait(false);
                    done.Add($"{runtime.Name} container {id}");
                }
                catch (Engine.Errors.DaemonException)
                {
                    // gone already, or the runtime cannot: the cgroup step below still kills its processes
                }
            }
        }
        foreach (string mount in plan.Unmount)
        {
            Mounts.Unmount(mount);
            done.Add($"mount {mount}");
        }
        foreach (string id in plan.DeleteBundles)
        {
            string dir = Path.Combine(at.ContainersDir, id);
            if (MountPointsUnder(dir).Count == 0)
            {
                TryDelete(() => Directory.Delete(dir, recursive: true));
                done.Add($"bundle {dir}");
            }
        }
        foreach (string name in plan.DeleteExitFiles)
        {
            TryDelete(() => File.Delete(Path.Combine(at.ExitDir, name)));
            done.Add($"exit file {name}");
        }
        foreach (string name in plan.DeleteSocketLinks)
        {
            TryDelete(() => File.Delete(Path.Combine(at.SocketDir, name)));
        }
        foreach (string leaf in plan.RemoveCgroups)
        {
            string relative = at.CgroupParent.TrimEnd('/') + "/" + leaf;
            await KillCgroupAsync(relative, at.CgroupRoot, cancellationToken).ConfigureAwait(false);
            CgroupFs.RemoveTree(relative, at.CgroupRoot);
            done.Add($"cgroup {relative}");
        }
        if (plan.RemoveCgroups.Count > 0)
        {
            CgroupFs.Remove(at.CgroupParent); // only when nothing else lives there (rmdir of an empty dir)
        }
        return done;
    }

    /// <summary>
    /// The container id a conmon command line monitors, when its bundle (-b) or exit dir lies in
    /// <paramref name="execRoot"/>; null for any other process (other daemons' conmons included).
    /// </summary>
    public static string? MonitoredContainer(IReadOnlyList<string> argv, string execRoot)
    {
        if (argv.Count == 0 || Path.GetFileName(argv[0]) != "conmon")
        {
            return null;
        }
        string prefix = execRoot.TrimEnd('/') + "/";
        string? id = null;
        bool ours = false;
        for (int i = 1; i + 1 < argv.Count; i++)
        {
            switch (argv[i])
            {
                case "-c" or "--cid":
                    id = argv[i + 1];
                    break;
                case "-b" or "--bundle" or "--exit-dir":
                    ours |= argv[i + 1].StartsWith(prefix, StringComparison.Ordinal);
                    break;
            }
        }
        return ours ? id : null;
    }

    private static List<MonitorProcess> MonitorsUnder(string execRoot)
    {
        var found = new List<MonitorProcess>();
        foreach (string dir in Directory.EnumerateDirectories("/proc"))
        {
            string name = Path.GetFileName(dir);
            if (!int.TryParse(name, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int pid))
            {
                continue;
            }
            try
            {
                string[] argv = File.ReadAllText(Path.Combine(dir, "cmdline")).Split('\0', StringSplitOptions.RemoveEmptyEntries);
                if (MonitoredContainer(argv, execRoot) is { } id && Linux.ProcessStates.IsLive(pid))
                {
                    found.Add(new MonitorProcess(pid, id));
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // the process went away while we looked
            }
        }
        return found;
    }

    /// <summary>Mount points at or below <paramref name="dir"/> (mountinfo field 5, octal escapes undone).</summary>
    public static IReadOnlyList<string> MountPointsUnder(string dir)
    {
        string root = dir.TrimEnd('/');
        var list = new List<string>();
        foreach (string line in File.ReadLines("/proc/self/mountinfo"))
        {
            string[] fields = line.Split(' ');
            if (fields.Length > 4)
            {
                string target = UnescapeMountPath(fields[4]);
                if (target == root || target.StartsWith(root + "/", StringComparison.Ordinal))
                {
                    list.Add(target);
                }
            }
        }
        return list;
    }

    public static string UnescapeMountPath(string field) =>
        field.Replace("\\040", " ", StringComparison.Ordinal).Replace("\\011", "\t", StringComparison.Ordinal)
            .Replace("\\012", "\n", StringComparison.Ordinal).Replace("\\134", "\\", StringComparison.Ordinal);

    private static List<string> CgroupLeaves(string parent, string cgroupRoot)
    {
        var set = new SortedSet<string>(StringComparer.Ordinal);
        foreach (string hierarchy in CgroupFs.Hierarchies(cgroupRoot))
        {
            string dir = Path.Combine(hierarchy, parent.Trim('/'));
            foreach (string name in Names(dir, directories: true))
            {
                set.Add(name);
            }
        }
        return [.. set];
    }

    /// <summary>SIGKILL whatever still lives in an orphaned cgroup (a container its runtime no longer knows), then wait for it to empty.</summary>
    private static async Task KillCgroupAsync(string relative, string cgroupRoot, CancellationToken cancellationToken)
    {
        for (int attempt = 0; attempt < 40; attempt++)
        {
            var pids = new HashSet<int>();
            foreach (string hierarchy in CgroupFs.Hierarchies(cgroupRoot))
            {
                string procs = Path.Combine(hierarchy, relative.TrimStart('/'), "cgroup.procs");
                try
                {
                    foreach (string line in File.ReadLines(procs))
                    {
                        if (int.TryParse(line, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int pid))
                        {
                            pids.Add(pid);
                        }
                    }
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                }
            }
            if (pids.Count == 0)
            {
                return;
            }
            foreach (int pid in pids)
            {
                _ = Libc.Kill(pid, Libc.SIGKILL);
            }
            await Task.Delay(25, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <param name="directories">true: subdirectories only; false: files only; null: any entry.</param>
    private static List<string> Names(string dir, bool? directories)
    {
        if (!Directory.Exists(dir))
        {
            return [];
        }
        IEnumerable<string> entries = directories switch
        {
            true => Directory.EnumerateDirectories(dir),
            false => Directory.EnumerateFiles(dir),
            null => Directory.EnumerateFileSystemEntries(dir),
        };
        return [.. entries.Select(e => Path.GetFileName(e)!)];
    }

    private static void TryDelete(Action delete)
    {
        try
        {
            delete();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // tmpfs leftovers are harmless; the next start tries again
        }
    }
}
