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

    /// <summary>GET /containers/json Ports: one row per binding, or a bare row for an unpublished exposed port.</summary>
    public static IReadOnlyList<(string? Ip, int PrivatePort, int? PublicPort, string Type)> SummaryRows(IEnumerable<PortKey> exposed, IEnumerable<PublishedPort> published)
    {
        var all = published.ToList();
        var rows = new List<(string?, int, int?, string)>();
        foreach (var port in exposed.Concat(all.Select(p => p.Key)).Distinct().OrderBy(k => k.ToString(), StringComparer.Ordinal))
        {
            var bindings = all.Where(p => p.Key == port).ToList();
            if (bindings.Count == 0)
            {
                rows.Add((null, port.Port, null, port.Proto));
                continue;
            }
            rows.AddRange(bindings.Select(b => ((string?)b.HostIp, port.Port, (int?)b.HostPort, port.Proto)));
        }
        return rows;
    }
}
