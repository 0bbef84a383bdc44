namespace Berth.Engine.Networks;

/// <summary>
/// A host port a running container holds (what NetworkSettings.Ports, `docker port` and the ps
/// Ports column show). Persisted with the container so a restarted daemon re-creates the same
/// mapping for containers that kept running.
/// </summary>
public sealed record PublishedPort(string Proto, int ContainerPort, string HostIp, int HostPort)
{
    public PortKey Key => new(ContainerPort, Proto);
}

/// <summary>The API shapes of published ports, built from exposed ports and what is published.</summary>
public static class PortViews
{
    /// <summary>
    /// NetworkSettings.Ports: every exposed port, null when not published, else its bindings
    /// (dockerd getPortMapInfo); keys sorted as Go sorts map keys.
    /// </summary>
    public static SortedDictionary<string, IReadOnlyList<PublishedPort>?> PortMap(IEnumerable<PortKey> exposed, IEnumerable<PublishedPort> published)
    {
        var map = new SortedDictionary<string, IReadOnlyList<PublishedPort>?>(StringComparer.Ordinal);
        foreach (var key in exposed)
        {
            map.TryAdd(key.ToString(), null);
        }
        foreach (var group in published.GroupBy(p => p.Key.ToString()))
        {
            map[group.Key] = [.. group];
        }
        return map;
    }
}
