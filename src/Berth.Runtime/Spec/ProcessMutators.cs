using Berth.Engine.Errors;

namespace Berth.Runtime.Spec;

/// <summary>Mutators for root, process and identity (dockerd's withCommonOptions, WithUser, withRlimits...).</summary>
public static class ProcessMutators
{
    /// <summary>go-units' ulimit names; the value is the RLIMIT_ suffix.</summary>
    private static readonly HashSet<string> UlimitNames = new(StringComparer.Ordinal)
    {
        "core", "cpu", "data", "fsize", "locks", "memlock", "msgqueue", "nice", "nofile", "nproc", "rss",
        "rtprio", "rttime", "sigpending", "stack",
    };

    public static void WithRoot(OciSpec spec, SpecInput input) =>
        spec.Root = new OciRoot { Path = input.Paths.Rootfs, Readonly = input.HostConfig.ReadonlyRootfs };

    /// <summary>Args from Entrypoint/Cmd, cwd, environment and terminal.</summary>
    public static void WithProcess(OciSpec spec, SpecInput input)
    {
        OciProcess p = spec.Process();
        ContainerConfigInput c = input.Config;
        p.Args = ConfigMerge.Args(input.Image, c);
        string cwd = !string.IsNullOrEmpty(c.WorkingDir) ? c.WorkingDir : input.Image.WorkingDir ?? "";
        p.Cwd = cwd.Length == 0 ? "/" : cwd;
        string? home = UserResolver.Resolve(EffectiveUser(input), input.PasswdText, input.GroupText).Home;
        p.Env = ConfigMerge.ProcessEnv(
            ConfigMerge.MergeEnv(input.Image.Env, c.Env), c.Hostname, c.Tty, home.Length == 0 ? "/" : home);
        p.Terminal = c.Tty;
        (uint height, uint width) = input.HostConfig.ConsoleSize;
        if (c.Tty && (height > 0 || width > 0))
        {
            p.ConsoleSize = new OciBox { Height = height, Width = width };
        }
    }

    /// <summary>Hostname in a private UTS namespace; the NIS domain name travels as a sysctl as in dockerd.</summary>
    public static void WithHostname(OciSpec spec, SpecInput input)
    {
        spec.Hostname = input.HostConfig.UtsMode == "host" ? null : input.Config.Hostname;
        OciLinux linux = spec.Linux();
        linux.Sysctl ??= new SortedDictionary<string, string>(StringComparer.Ordinal);
        if (input.Config.Domainname.Length > 0)
        {
            linux.Sysctl["kernel.domainname"] = input.Config.Domainname;
        }
    }

    /// <summary>The container's --user, else the image's USER.</summary>
    public static string EffectiveUser(SpecInput input) =>
        !string.IsNullOrEmpty(input.Config.User) ? input.Config.User : input.Image.User ?? "";

    /// <summary>uid/gid from the image's passwd/group; additionalGids = primary, memberships, GroupAdd.</summary>
    public static void WithUser(OciSpec spec, SpecInput input)
    {
        ExecUser user = UserResolver.Resolve(EffectiveUser(input), input.PasswdText, input.GroupText);
        spec.Process().User = new OciUser
        {
            Uid = user.Uid,
            Gid = user.Gid,
            AdditionalGids = [user.Gid, .. user.SupplementaryGids, .. input.HostConfig.GroupAdd],
        };
    }

    /// <summary>Container ulimits, then daemon defaults for names the container did not set.</summary>
    public static void WithRlimits(OciSpec spec, SpecInput input)
    {
        var ulimits = new List<Ulimit>(input.HostConfig.Ulimits);
        var seen = new HashSet<string>(ulimits.Select(u => u.Name), StringComparer.Ordinal);
        ulimits.AddRange(input.Daemon.DefaultUlimits.Where(u => !seen.Contains(u.Name)));
        if (ulimits.Count == 0)
        {
            return;
        }
        var rlimits = new List<OciRlimit>();
        foreach (Ulimit u in ulimits)
        {
            if (!UlimitNames.Contains(u.Name))
            {
                throw DaemonException.InvalidParameter(Messages.InvalidUlimit(u.Name));
            }
            // Go converts with uint64(); -1 (unlimited) becomes RLIM_INFINITY the same way.
            rlimits.Add(new OciRlimit
            {
                Type = "RLIMIT_" + u.Name.ToUpperInvariant(),
                Soft = unchecked((ulong)u.Soft),
                Hard = unchecked((ulong)u.Hard),
            });
        }
        spec.Process().Rlimits = rlimits;
    }

    /// <summary>Always written, 0 included, as dockerd does.</summary>
    public static void WithOomScore(OciSpec spec, SpecInput input) =>
        spec.Process().OomScoreAdj = input.HostConfig.OomScoreAdj;

    public static void WithNoNewPrivileges(OciSpec spec, SpecInput input) =>
        spec.Process().NoNewPrivileges =
            SecurityOptions.Parse(input.HostConfig.SecurityOpt, input.Daemon.NoNewPrivileges).NoNewPrivileges;

    /// <summary>HostConfig.Annotations pass through to the runtime.</summary>
    public static void WithAnnotations(OciSpec spec, SpecInput input)
    {
        if (input.HostConfig.Annotations is { Count: > 0 } annotations)
        {
            spec.Annotations = new SortedDictionary<string, string>(
                annotations.ToDictionary(kv => kv.Key, kv => kv.Value), StringComparer.Ordinal);
        }
    }
}
