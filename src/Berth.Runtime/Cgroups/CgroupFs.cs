using System.Globalization;
using Berth.Linux;

namespace Berth.Runtime.Cgroups;

/// <summary>
/// The little cgroupfs work the monitor needs: move a pid (conmon) into a cgroup in every
/// hierarchy, and remove cgroup dirs the runtime leaves behind. Absolute cgroup paths
/// ("/berth/conmon") are the same in every v1 hierarchy and in the unified one.
/// </summary>
public static class CgroupFs
{
    public const string DefaultRoot = "/sys/fs/cgroup";

    /// <summary>
    /// Mounted hierarchies under <paramref name="root"/>: the root itself on a pure v2 host, else
    /// each subdir with a cgroup.procs (v1 controllers, name=systemd, the hybrid "unified").
    /// Symlinked aliases (cpu → cpu,cpuacct) are skipped so each hierarchy is visited once.
    /// </summary>
    public static IReadOnlyList<string> Hierarchies(string root = DefaultRoot)
    {
        if (File.Exists(Path.Combine(root, "cgroup.procs")))
        {
            return [root];
        }
        var list = new List<string>();
        if (!Directory.Exists(root))
        {
            return list;
        }
        foreach (string dir in Directory.EnumerateDirectories(root))
        {
            var info = new DirectoryInfo(dir);
            if (info.LinkTarget is null && File.Exists(Path.Combine(dir, "cgroup.procs")))
            {
                list.Add(dir);
            }
        }
        list.Sort(StringComparer.Ordinal);
        return list;
    }

    /// <summary>
    /// Writes <paramref name="pid"/> into &lt;hierarchy&gt;/&lt;relativePath&gt;/cgroup.procs of every
    /// hierarchy it can, creating the dirs. Returns the hierarchies joined; one that refuses
    /// (read-only, foreign) is skipped, because any hierarchy left still ties the pid to the caller.
    /// </summary>
    public static IReadOnlyList<string> MoveProcess(int pid, string relativePath, string root = DefaultRoot)
    {
        var joined = new List<string>();
        string pidText = pid.ToString(CultureInfo.InvariantCulture);
        foreach (string hierarchy in Hierarchies(root))
        {
            string dir = Join(hierarchy, relativePath);
            try
            {
                Directory.CreateDirectory(dir);
                if (Path.GetFileName(hierarchy) == "cpuset")
                {
                    InheritCpuset(hierarchy, relativePath);
                }
                File.WriteAllText(Path.Combine(dir, "cgroup.procs"), pidText);
                joined.Add(hierarchy);
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
        return joined;
    }

    /// <summary>
    /// Removes &lt;relativePath&gt; in every hierarchy, then up to <paramref name="parents"/> of its
    /// ancestors when they are empty. The runtimes remove only the leaf of an absolute
    /// cgroupsPath; the parents are the daemon's to clean. Busy dirs are left alone.
    /// </summary>
    public static void Remove(string relativePath, int parents = 0, string root = DefaultRoot)
    {
        foreach (string hierarchy in Hierarchies(root))
        {
            string rel = relativePath.TrimEnd('/');
            for (int level = 0; level <= parents && rel.Trim('/').Length > 0; level++)
            {
                if (!TryRmdir(Join(hierarchy, rel)))
                {
                    break;
                }
                rel = rel[..Math.Max(0, rel.LastIndexOf('/'))];
            }
        }
    }

    /// <summary>Removes &lt;relativePath&gt; and everything below it, depth first, in every hierarchy (best effort).</summary>
    public static void RemoveTree(string relativePath, string root = DefaultRoot)
    {
        foreach (string hierarchy in Hierarchies(root))
        {
            string dir = Join(hierarchy, relativePath);
            if (Directory.Exists(dir))
            {
                RemoveDepthFirst(dir);
            }
        }
    }

    /// <summary>
    /// Removes the cgroup directory <paramref name="dir"/> (absolute) and any child cgroups, as
    /// runc's delete does; true when it is gone (or never existed).
    /// </summary>
    public static bool RemoveDirectory(string dir)
    {
        if (Directory.Exists(dir))
        {
            RemoveDepthFirst(dir);
        }
        return !Directory.Exists(dir);
    }

    /// <summary>The cgroup path of <paramref name="pid"/> per hierarchy line of /proc/PID/cgroup ("4:memory:/x" → "memory" → "/x").</summary>
    public static IReadOnlyDictionary<string, string> ReadProcessCgroups(int pid)
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (string line in File.ReadAllLines($"/proc/{pid}/cgroup"))
        {
            string[] parts = line.Split(':', 3);
            if (parts.Length == 3)
            {
                map[parts[1].Length == 0 ? "unified" : parts[1]] = parts[2];
            }
        }
        return map;
    }

    private static void RemoveDepthFirst(string dir)
    {
        foreach (string child in Directory.EnumerateDirectories(dir))
        {
            RemoveDepthFirst(child);
        }
        _ = TryRmdir(dir);
    }

    private static bool TryRmdir(string dir)
    {
        // A task that just exited can keep a cgroup busy for a moment (EBUSY): retry briefly.
        // rmdir(2) directly: this runs after every container exit, and a failure is expected
        // (a parent shared with running containers), so no exception per attempt.
        for (int attempt = 0; ; attempt++)
        {
            int errno = FileSys.TryUnlinkAt(FileSys.AtFdCwd, dir, directory: true);
            if (errno is 0 or Errnos.ENOENT)
            {
                return true;
            }
            if (errno != Errnos.EBUSY || attempt >= 5 || HasChildren(dir))
            {
                // Only a leaf can be "busy for a moment"; a dir with child cgroups stays busy
                // (a parent shared by running containers): give up at once instead of sleeping
                // 60 ms per hierarchy on every container exit.
                return false;
            }
            Thread.Sleep(10);
        }
    }

    private static bool HasChildren(string dir)
    {
        try
        {
            return Directory.EnumerateDirectories(dir).Any();
        }
        catch (IOException)
        {
            return false;
        }
    }

    // v1 cpuset: a new cgroup starts with empty cpus/mems and refuses tasks (ENOSPC) until set.
    private static void InheritCpuset(string hierarchy, string relativePath)
    {
        string current = hierarchy;
        foreach (string part in relativePath.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            string child = Path.Combine(current, part);
            foreach (string file in new[] { "cpuset.cpus", "cpuset.mems" })
            {
                string target = Path.Combine(child, file);
                if (File.Exists(target) && File.ReadAllText(target).Trim().Length == 0)
                {
                    File.WriteAllText(target, File.ReadAllText(Path.Combine(current, file)).Trim());
                }
            }
            current = child;
        }
    }

    private static string Join(string hierarchy, string relativePath) =>
        Path.Combine(hierarchy, relativePath.TrimStart('/'));
}
