using Berth.Engine.Images;

namespace Berth.Engine.Build;

/// <summary>Conversions between a stored image config and the mutable run config the builder edits.</summary>
public static class RunConfigs
{
    public static RunConfig From(ContainerConfig? c)
    {
        if (c is null)
        {
            return new RunConfig();
        }
        return new RunConfig
        {
            User = c.User ?? "",
            Env = c.Env is null ? null : [.. c.Env],
            Cmd = c.Cmd is null ? null : [.. c.Cmd],
            Entrypoint = c.Entrypoint is null ? null : [.. c.Entrypoint],
            WorkingDir = c.WorkingDir ?? "",
            Labels = c.Labels is null ? null : new SortedDictionary<string, string>(c.Labels.ToDictionary(), StringComparer.Ordinal),
            ExposedPorts = c.ExposedPorts is null ? null : new SortedSet<string>(c.ExposedPorts.Keys, StringComparer.Ordinal),
            Volumes = c.Volumes is null ? null : new SortedSet<string>(c.Volumes.Keys, StringComparer.Ordinal),
            StopSignal = c.StopSignal,
            OnBuild = c.OnBuild is null ? null : [.. c.OnBuild],
            Shell = c.Shell is null ? null : [.. c.Shell],
            Healthcheck = c.Healthcheck,
        };
    }

    public static RunConfig Clone(RunConfig c) => new()
    {
        User = c.User,
        Env = c.Env is null ? null : [.. c.Env],
        Cmd = c.Cmd is null ? null : [.. c.Cmd],
        Entrypoint = c.Entrypoint is null ? null : [.. c.Entrypoint],
        WorkingDir = c.WorkingDir,
        Labels = c.Labels is null ? null : new SortedDictionary<string, string>(c.Labels, StringComparer.Ordinal),
        ExposedPorts = c.ExposedPorts is null ? null : new SortedSet<string>(c.ExposedPorts, StringComparer.Ordinal),
        Volumes = c.Volumes is null ? null : new SortedSet<string>(c.Volumes, StringComparer.Ordinal),
        StopSignal = c.StopSignal,
        OnBuild = c.OnBuild is null ? null : [.. c.OnBuild],
        Shell = c.Shell is null ? null : [.. c.Shell],
        Healthcheck = c.Healthcheck,
    };

    /// <summary>A stable text of everything in the config, for cache keys.</summary>
    public static string Fingerprint(RunConfig c)
    {
        static string L(IEnumerable<string>? v) => v is null ? "-" : string.Join("\u001f", v);
        var h = c.Healthcheck;
        return string.Join('\u001e',
            c.User, L(c.Env), L(c.Cmd), L(c.Entrypoint), c.WorkingDir,
            L(c.Labels?.Select(kv => kv.Key + "=" + kv.Value)), L(c.ExposedPorts), L(c.Volumes), c.StopSignal ?? "-",
            L(c.OnBuild), L(c.Shell),
            h is null ? "-" : $"{L(h.Test)}|{h.Interval}|{h.Timeout}|{h.StartPeriod}|{h.StartInterval}|{h.Retries}");
    }
}
