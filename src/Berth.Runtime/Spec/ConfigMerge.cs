using Berth.Engine.Errors;

namespace Berth.Runtime.Spec;

/// <summary>
/// How dockerd combines the image config with the container config (daemon/commit.go merge,
/// mergeAndVerifyConfig, getEntrypointAndArgs, CreateDaemonEnvironment).
/// </summary>
public static class ConfigMerge
{
    public const string DefaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    /// <summary>
    /// Process args. A container Entrypoint (even an empty one) replaces the image's and drops
    /// the image Cmd; [""] then means "no entrypoint". A container Cmd replaces the image Cmd.
    /// </summary>
    /// <exception cref="DaemonException">InvalidParameter "no command specified".</exception>
    public static List<string> Args(ImageConfigInput image, ContainerConfigInput config)
    {
        IReadOnlyList<string>? entrypoint = config.Entrypoint;
        IReadOnlyList<string>? cmd = config.Cmd;
        if (entrypoint is null || entrypoint.Count == 0)
        {
            if (cmd is null || cmd.Count == 0)
            {
                cmd = image.Cmd;
            }
            // Only a null Entrypoint inherits; an explicit [] keeps the image's out.
            entrypoint ??= image.Entrypoint;
        }
        if (entrypoint is { Count: 1 } && entrypoint[0].Length == 0)
        {
            entrypoint = null;
        }
        if ((entrypoint is null || entrypoint.Count == 0) && (cmd is null || cmd.Count == 0))
        {
            throw DaemonException.InvalidParameter(Messages.NoCommandSpecified);
        }
        var args = new List<string>();
        args.AddRange(entrypoint ?? []);
        args.AddRange(cmd ?? []);
        return args;
    }

    /// <summary>Container env first, then image entries whose key the container did not set.</summary>
    public static List<string> MergeEnv(IReadOnlyList<string>? imageEnv, IReadOnlyList<string>? containerEnv)
    {
        var merged = new List<string>(containerEnv ?? []);
        if (merged.Count == 0)
        {
            return [.. imageEnv ?? []];
        }
        var keys = new HashSet<string>(merged.Select(Key), StringComparer.Ordinal);
        merged.AddRange((imageEnv ?? []).Where(e => !keys.Contains(Key(e))));
        return merged;
    }

    /// <summary>
    /// The process environment: PATH, HOSTNAME and (with a TTY) TERM=xterm first, then the
    /// merged env replacing same-named entries in place or appending, as dockerd's
    /// ReplaceOrAppendEnvValues. HOME from passwd is appended when nothing set it.
    /// </summary>
    public static List<string> ProcessEnv(
        IReadOnlyList<string> mergedEnv, string hostname, bool tty, string? home)
    {
        var env = new List<string> { "PATH=" + DefaultPath, "HOSTNAME=" + hostname };
        if (tty)
        {
            env.Add("TERM=xterm");
        }
        ReplaceOrAppend(env, mergedEnv);
        if (home is not null && !env.Any(e => Key(e) == "HOME"))
        {
            env.Add("HOME=" + home);
        }
        return env;
    }

    /// <summary>
    /// dockerd's ReplaceOrAppendEnvValues: "K=V" replaces or appends; a bare "K" (no '=')
    /// removes K when present and is otherwise dropped.
    /// </summary>
    public static void ReplaceOrAppend(List<string> defaults, IEnumerable<string> overrides)
    {
        // Like Go, only the original defaults are indexed: repeated overrides append twice.
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < defaults.Count; i++)
        {
            index[Key(defaults[i])] = i;
        }
        var removed = new HashSet<int>();
        foreach (string e in overrides)
        {
            int eq = e.IndexOf('=', StringComparison.Ordinal);
            if (eq < 0)
            {
                if (index.TryGetValue(e, out int r))
                {
                    removed.Add(r);
                }
                continue;
            }
            if (index.TryGetValue(e[..eq], out int i))
            {
                defaults[i] = e;
                removed.Remove(i);
            }
            else
            {
                defaults.Add(e);
            }
        }
        foreach (int i in removed.OrderDescending())
        {
            defaults.RemoveAt(i);
        }
    }

    private static string Key(string entry)
    {
        int eq = entry.IndexOf('=', StringComparison.Ordinal);
        return eq < 0 ? entry : entry[..eq];
    }
}
