namespace Berth.Networking.Dns;

/// <summary>One container on one network, as the embedded DNS sees it.</summary>
/// <param name="Names">Everything it answers to there: container name, network aliases, short id (any case).</param>
/// <param name="Address">IPv4 address in host order (0 when it has none on that network).</param>
public sealed record DnsEndpoint(string ContainerId, IReadOnlyList<string> Names, uint Address);

/// <summary>A network the querying container is on, with every endpoint attached to it.</summary>
public sealed record DnsNetworkView(string NetworkName, IReadOnlyList<DnsEndpoint> Endpoints);

/// <summary>What the local records say about a name.</summary>
public readonly record struct DnsLookupResult(bool Known, uint[] Addresses)
{
    public static DnsLookupResult Unknown { get; } = new(false, []);
}

/// <summary>
/// Name resolution of libnetwork's Sandbox.ResolveName, for IPv4-only networks: a name resolves on
/// the querier's networks in their order, first network with a match wins and answers every
/// endpoint carrying the name there (an alias shared by replicas gives all of them). "a.b"
/// also tries "a" on a network named "b" (container.network), for every dot from the right.
/// Names never leak across networks: only the querier's own networks are searched.
/// </summary>
public static class DnsLookup
{
    public static DnsLookupResult Resolve(string name, IReadOnlyList<DnsNetworkView> networks)
    {
        name = name.TrimEnd('.');
        if (name.Length == 0)
        {
            return DnsLookupResult.Unknown;
        }
        if (Find(name, null, networks) is { } direct)
        {
            return direct;
        }
        for (int dot = name.LastIndexOf('.'); dot > 0; dot = name.LastIndexOf('.', dot - 1))
        {
            if (Find(name[..dot], name[(dot + 1)..], networks) is { } scoped)
            {
                return scoped;
            }
        }
        return DnsLookupResult.Unknown;
    }

    private static DnsLookupResult? Find(string name, string? networkName, IReadOnlyList<DnsNetworkView> networks)
    {
        foreach (var network in networks)
        {
            if (networkName is not null && !string.Equals(network.NetworkName, networkName, StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }
            List<uint>? found = null;
            foreach (var endpoint in network.Endpoints)
            {
                if (endpoint.Names.Any(n => string.Equals(n, name, StringComparison.OrdinalIgnoreCase)))
                {
                    found ??= [];
                    if (endpoint.Address != 0 && !found.Contains(endpoint.Address))
                    {
                        found.Add(endpoint.Address);
                    }
                }
            }
            if (found is not null)
            {
                return new DnsLookupResult(true, [.. found]);
            }
        }
        return null;
    }

    /// <summary>Fisher-Yates in place: replicas behind one alias share the load, as dockerd shuffles.</summary>
    public static void Shuffle(Span<uint> addresses)
    {
        for (int i = addresses.Length - 1; i > 0; i--)
        {
            int j = Random.Shared.Next(i + 1);
            (addresses[i], addresses[j]) = (addresses[j], addresses[i]);
        }
    }
}
