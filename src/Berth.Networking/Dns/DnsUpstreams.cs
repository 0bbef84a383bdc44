using System.Net;

namespace Berth.Networking.Dns;

/// <summary>
/// The external servers a container's embedded resolver forwards to, in dockerd's order of
/// precedence: the container's --dns, else the daemon's --dns, else the host's resolv.conf
/// nameservers. Loopback servers are kept (forwarding runs in the daemon's namespace, where
/// they answer), unlike the copied resolv.conf of the default bridge.
/// </summary>
public static class DnsUpstreams
{
    public static IReadOnlyList<IPEndPoint> From(IReadOnlyList<string> containerDns, IReadOnlyList<string> daemonDns, string hostResolvConf)
    {
        IEnumerable<string> chosen = containerDns.Count > 0 ? containerDns
            : daemonDns.Count > 0 ? daemonDns
            : Nameservers(hostResolvConf);
        var servers = new List<IPEndPoint>();
        foreach (string raw in chosen)
        {
            // "fe80::1%eth0" keeps its zone; anything unparsable is skipped as dockerd's resolvconf does.
            if (IPAddress.TryParse(raw, out var address) && !address.Equals(EmbeddedDns.Address))
            {
                var endpoint = new IPEndPoint(address, 53);
                if (!servers.Contains(endpoint))
                {
                    servers.Add(endpoint);
                }
            }
        }
        return servers;
    }

    /// <summary>The nameserver lines of a resolv.conf text.</summary>
    public static IEnumerable<string> Nameservers(string text)
    {
        foreach (string raw in text.Split('\n'))
        {
            string[] fields = raw.Trim().Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length > 1 && fields[0] == "nameserver")
            {
                yield return fields[1];
            }
        }
    }
}
