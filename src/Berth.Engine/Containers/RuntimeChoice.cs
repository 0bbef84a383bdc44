using Berth.Engine.Configuration;

namespace Berth.Engine.Containers;

/// <summary>
/// Which runtime names a container may ask for (dockerd's getRuntime): runc, containerd's name
/// for it, and the configured ones. A container that names none gets the daemon's default at
/// create time, and that name is what its HostConfig keeps, as in dockerd.
/// </summary>
public sealed record RuntimeChoice(string Default, IReadOnlySet<string> Configured)
{
    public static readonly RuntimeChoice RuncOnly = new(RuntimeNames.Runc, new HashSet<string>(StringComparer.Ordinal));

    public static RuntimeChoice From(DaemonConfig config) =>
        new(config.DefaultRuntime, new HashSet<string>(config.Runtimes.Keys, StringComparer.Ordinal));

    public bool IsKnown(string name) => RuntimeNames.IsReserved(name) || Configured.Contains(name);

    /// <summary>The name to store: the requested one, or the default when none was given.</summary>
    public string Resolve(string? requested) => string.IsNullOrEmpty(requested) ? Default : requested;

    /// <summary>null when the request may go on, else dockerd's 400 text.</summary>
    public string? Reject(string? requested) =>
        string.IsNullOrEmpty(requested) || IsKnown(requested) ? null : Errors.Messages.UnknownRuntime(requested);
}
