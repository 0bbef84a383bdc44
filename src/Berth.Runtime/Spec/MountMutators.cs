using Berth.Engine.Errors;

namespace Berth.Runtime.Spec;

/// <summary>dockerd's withMounts for the mounts the spec builder owns, plus --init.</summary>
public static class MountMutators
{
    public const string InitPathInContainer = "/sbin/docker-init";

    /// <summary>Docker's default bind propagation on Linux.</summary>
    private const string DefaultPropagation = "rprivate";

    private static readonly HashSet<string> TmpfsFlags = new(StringComparer.Ordinal)
    {
        "ro", "rw", "suid", "nosuid", "dev", "nodev", "exec", "noexec", "sync", "async", "dirsync", "remount",
        "mand", "nomand", "atime", "noatime", "diratime", "nodiratime", "bind", "rbind", "unbindable",
        "runbindable", "private", "rprivate", "shared", "rshared", "slave", "rslave", "relatime", "norelatime",
        "strictatime", "nostrictatime",
    };

    private static readonly HashSet<string> Propagations = new(StringComparer.Ordinal)
    {
        "bind", "rbind", "unbindable", "runbindable", "private", "rprivate", "shared", "rshared", "slave", "rslave",
    };

    private static readonly HashSet<string> TmpfsData = new(StringComparer.Ordinal)
    {
        "size", "mode", "uid", "gid", "nr_inodes", "nr_blocks", "mpol",
    };

    /// <summary>Mutually exclusive flag pairs share one slot in MergeTmpfsOptions' collision map.</summary>
    private static string FlagSlot(string flag) => flag switch
    {
        _ when Propagations.Contains(flag) => "propagation",
        "rw" => "ro",
        "suid" => "nosuid",
        "dev" => "nodev",
        "exec" => "noexec",
        "async" => "sync",
        "nomand" => "mand",
        "atime" => "noatime",
        "diratime" => "nodiratime",
        "norelatime" => "relatime",
        "nostrictatime" => "strictatime",
        _ => flag,
    };

    public static void WithMounts(OciSpec spec, SpecInput input)
    {
        HostConfigInput h = input.HostConfig;
        List<OciMount> userMounts = UserMounts(input);
        var userDest = new HashSet<string>(userMounts.Select(m => m.Destination), StringComparer.Ordinal);
        bool mountDev = userDest.Contains("/dev");
        long shmSize = h.ShmSize > 0 ? h.ShmSize : DefaultSpec.DefaultShmSize;

        var mounts = new List<OciMount>();
        foreach (OciMount m in spec.Mounts)
        {
            if (userDest.Contains(m.Destination) || (mountDev && m.Destination.StartsWith("/dev/", StringComparison.Ordinal)))
            {
                continue;
            }
            if (m.Destination == "/dev/shm")
            {
                if (h.IpcMode == "none")
                {
                    continue;
                }
                m.Options = [.. m.Options ?? [], "size=" + shmSize.ToString(System.Globalization.CultureInfo.InvariantCulture)];
            }
            mounts.Add(m);
        }
        if (h.ReadonlyRootfs)
        {
            foreach (OciMount m in mounts.Where(m => m.Destination is not ("/proc" or "/dev/pts" or "/dev/shm" or "/dev/mqueue" or "/dev")))
            {
                if (!(m.Options ?? []).Contains("ro"))
                {
                    m.Options = [.. m.Options ?? [], "ro"];
                }
            }
        }
        SecurityOptions sec = SecurityOptions.Parse(h.SecurityOpt, input.Daemon.NoNewPrivileges);
        foreach (OciMount m in mounts)
        {
            bool writable = (m.Destination == "/sys" && h.Privileged)
                || (m.Type == "cgroup" && (sec.WritableCgroups ?? h.Privileged));
            if (writable)
            {
                m.Options = m.Options?.Where(o => o != "ro").ToList();
            }
        }
        mounts.AddRange(userMounts);
        spec.Mounts = mounts;
        // moby withMounts: a shared (or slave) bind needs the rootfs at least as shared (or slave),
        // or mounts would not propagate through it.
        foreach (var m in input.Mounts)
        {
            string? root = spec.Linux?.RootfsPropagation;
            if (m.Options.Any(o => o is "shared" or "rshared") && root is not ("shared" or "rshared"))
            {
                spec.Linux().RootfsPropagation = "shared";
            }
            else if (m.Options.Any(o => o is "slave" or "rslave") && root is not ("shared" or "rshared" or "slave" or "rslave"))
            {
                spec.Linux().RootfsPropagation = "rslave";
            }
        }
    }

    /// <summary>
    /// The mounts dockerd passes in as container mounts: the shared /dev/shm, --tmpfs, and the
    /// network files, sorted so parents mount before children (stable, by path depth).
    /// </summary>
    private static List<OciMount> UserMounts(SpecInput input)
    {
        HostConfigInput h = input.HostConfig;
        var list = new List<OciMount>();
        if (input.Paths.ShmPath is { } shm && !h.Tmpfs.ContainsKey("/dev/shm"))
        {
            list.Add(Bind(shm, "/dev/shm", writable: true));
        }
        foreach ((string dest, string data) in h.Tmpfs.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            var options = new List<string> { "noexec", "nosuid", "nodev", DefaultPropagation };
            if (data.Length > 0)
            {
                options.AddRange(data.Split(','));
            }
            list.Add(new OciMount { Destination = dest, Type = "tmpfs", Source = "tmpfs", Options = MergeTmpfsOptions(options) });
        }
        foreach (var m in input.Mounts)
        {
            list.Add(m.Type == "tmpfs"
                ? new OciMount { Destination = m.Destination, Type = "tmpfs", Source = "tmpfs", Options = MergeTmpfsOptions(["noexec", "nosuid", "nodev", DefaultPropagation, .. m.Options]) }
                : new OciMount { Destination = m.Destination, Type = "bind", Source = m.Source, Options = [.. m.Options] });
        }
        // A user mount at a network file's path wins over the daemon's file (moby HasMountFor).
        var taken = new HashSet<string>(list.Select(m => m.Destination), StringComparer.Ordinal);
        bool writable = !h.ReadonlyRootfs;
        if (input.Paths.ResolvConfPath is { } resolv && !taken.Contains("/etc/resolv.conf"))
        {
            list.Add(Bind(resolv, "/etc/resolv.conf", writable));
        }
        if (input.Paths.HostnamePath is { } hostname && !taken.Contains("/etc/hostname"))
        {
            list.Add(Bind(hostname, "/etc/hostname", writable));
        }
        if (input.Paths.HostsPath is { } hosts && !taken.Contains("/etc/hosts"))
        {
            list.Add(Bind(hosts, "/etc/hosts", writable));
        }
        return [.. list.OrderBy(m => Depth(m.Destination))];
    }

    private static int Depth(string path) => path.TrimEnd('/').Count(c => c == '/');

    private static OciMount Bind(string source, string destination, bool writable) => new()
    {
        Destination = destination,
        Type = "bind",
        Source = source,
        Options = writable ? ["rbind", DefaultPropagation] : ["rbind", "ro", DefaultPropagation],
    };

    /// <summary>
    /// moby's MergeTmpfsOptions: later options win, one value per flag pair and per data key,
    /// "defaults" dropped, unknown data keys rejected.
    /// </summary>
    public static List<string> MergeTmpfsOptions(IReadOnlyList<string> options)
    {
        var flagSeen = new HashSet<string>(StringComparer.Ordinal);
        var dataSeen = new HashSet<string>(StringComparer.Ordinal);
        var merged = new List<string>();
        for (int i = options.Count - 1; i >= 0; i--)
        {
            string option = options[i];
            if (option == "defaults")
            {
                continue;
            }
            if (TmpfsFlags.Contains(option))
            {
                if (flagSeen.Add(FlagSlot(option)))
                {
                    merged.Insert(0, option);
                }
                continue;
            }
            int eq = option.IndexOf('=', StringComparison.Ordinal);
            string key = eq < 0 ? option : option[..eq];
            if (eq < 0 || !TmpfsData.Contains(key))
            {
                throw DaemonException.InvalidParameter(Messages.InvalidTmpfsOption(key));
            }
            if (dataSeen.Add(key))
            {
                merged.Insert(0, option);
            }
        }
        return merged;
    }

    /// <summary>
    /// --init (or the daemon default) in a private pid namespace: bind the init binary at
    /// /sbin/docker-init and run "docker-init -- &lt;args&gt;" so it reaps zombies and forwards signals.
    /// </summary>
    public static void WithInit(OciSpec spec, SpecInput input)
    {
        bool init = input.HostConfig.Init ?? input.Daemon.Init;
        if (!init || input.HostConfig.PidMode.Length > 0)
        {
            return;
        }
        OciProcess p = spec.Process();
        p.Args = [InitPathInContainer, "--", .. p.Args];
        spec.Mounts.Add(new OciMount
        {
            Destination = InitPathInContainer,
            Type = "bind",
            Source = input.Daemon.InitPath,
            Options = ["bind", "ro"],
        });
    }
}
