using Berth.Engine.Errors;
using ImageRunConfig = Berth.Engine.Images.ContainerConfig;

namespace Berth.Engine.Containers;

/// <summary>
/// dockerd's create-time merge of the image config into the container config (moby
/// daemon/commit.go merge) and the process command line (daemon/create.go getEntrypointAndArgs).
/// Pure functions: the unit tests pin every rule.
/// </summary>
public static class ContainerConfigMerge
{
    public static ContainerSettings Merge(ContainerSettings user, ImageRunConfig? image)
    {
        if (image is null)
        {
            return user;
        }
        var merged = user;
        if (string.IsNullOrEmpty(user.User))
        {
            merged = merged with { User = image.User ?? "" };
        }
        if (image.ExposedPorts is { Count: > 0 } ports)
        {
            merged = merged with { ExposedPorts = Union(user.ExposedPorts, ports.Keys) };
        }
        if (image.Env is { Count: > 0 } imageEnv)
        {
            merged = merged with { Env = MergeEnv(imageEnv, user.Env) };
        }
        if (image.Labels is { Count: > 0 } imageLabels)
        {
            var labels = new Dictionary<string, string>(imageLabels, StringComparer.Ordinal);
            foreach (var (key, value) in user.Labels)
            {
                labels[key] = value;
            }
            merged = merged with { Labels = labels };
        }
        // A container Entrypoint (even empty) keeps the image's Entrypoint and Cmd out; a
        // container Cmd alone replaces only the image Cmd.
        if (user.Entrypoint is null || user.Entrypoint.Count == 0)
        {
            if (user.Cmd is null || user.Cmd.Count == 0)
            {
                merged = merged with { Cmd = image.Cmd, ArgsEscaped = image.ArgsEscaped ?? false };
            }
            if (user.Entrypoint is null)
            {
                merged = merged with { Entrypoint = image.Entrypoint };
            }
        }
        if (user.Healthcheck is null && image.Healthcheck is { } health)
        {
            merged = merged with
            {
                Healthcheck = new HealthSettings
                {
                    Test = health.Test,
                    Interval = health.Interval ?? 0,
                    Timeout = health.Timeout ?? 0,
                    StartPeriod = health.StartPeriod ?? 0,
                    StartInterval = health.StartInterval ?? 0,
                    Retries = health.Retries ?? 0,
                },
            };
        }
        if (string.IsNullOrEmpty(user.WorkingDir))
        {
            merged = merged with { WorkingDir = image.WorkingDir ?? "" };
        }
        if (image.Volumes is { Count: > 0 } volumes)
        {
            merged = merged with { Volumes = Union(user.Volumes, volumes.Keys) };
        }
        if (string.IsNullOrEmpty(user.StopSignal) && !string.IsNullOrEmpty(image.StopSignal))
        {
            merged = merged with { StopSignal = image.StopSignal };
        }
        if ((user.OnBuild is null || user.OnBuild.Count == 0) && image.OnBuild is { Count: > 0 })
        {
            merged = merged with { OnBuild = image.OnBuild };
        }
        if ((user.Shell is null || user.Shell.Count == 0) && image.Shell is { Count: > 0 })
        {
            merged = merged with { Shell = image.Shell };
        }
        return merged;
    }

    /// <summary>Container env first; image entries whose key the container did not set are appended.</summary>
    public static List<string> MergeEnv(IReadOnlyList<string> imageEnv, IReadOnlyList<string>? userEnv)
    {
        var merged = new List<string>(userEnv ?? []);
        var keys = new HashSet<string>(merged.Select(EnvKey), StringComparer.Ordinal);
        merged.AddRange(imageEnv.Where(e => !keys.Contains(EnvKey(e))));
        return merged;
    }

    private static string EnvKey(string entry)
    {
        int eq = entry.IndexOf('=', StringComparison.Ordinal);
        return eq < 0 ? entry : entry[..eq];
    }

    private static List<string> Union(IReadOnlyList<string>? first, IEnumerable<string> second)
    {
        var list = new List<string>(first ?? []);
        foreach (string item in second)
        {
            if (!list.Contains(item, StringComparer.Ordinal))
            {
                list.Add(item);
            }
        }
        list.Sort(StringComparer.Ordinal);
        return list;
    }

    /// <summary>
    /// The container's Path and Args from the merged config: the entrypoint's first word (else the
    /// command's) and the rest. [""] as entrypoint means none.
    /// </summary>
    /// <exception cref="DaemonException">InvalidParameter "No command specified".</exception>
    public static (string Path, List<string> Args) EntrypointAndArgs(IReadOnlyList<string>? entrypoint, IReadOnlyList<string>? cmd)
    {
        if (entrypoint is { Count: 1 } && entrypoint[0].Length == 0)
        {
            entrypoint = null;
        }
        var all = new List<string>(entrypoint ?? []);
        all.AddRange(cmd ?? []);
        if (all.Count == 0)
        {
            throw DaemonException.InvalidParameter(Messages.NoCommandSpecified);
        }
        return (all[0], all.GetRange(1, all.Count - 1));
    }
}
