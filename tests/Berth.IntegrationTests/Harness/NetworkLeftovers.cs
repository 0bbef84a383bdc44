using Berth.Linux.Netlink;
using Berth.Linux.Netns;
using Berth.Networking.Firewall;
using Microsoft.Extensions.Logging.Abstractions;

namespace Berth.IntegrationTests.Harness;

/// <summary>
/// Finds and removes what a test daemon leaves on the host by design (berthd keeps its bridges
/// and chains on shutdown, as dockerd does): links named after it or carrying its alias
/// "berth:&lt;prefix&gt;:…" (bridges and endpoint veths), iptables chains/jumps with its prefix, and
/// the network namespaces it pinned under &lt;exec-root&gt;/netns. Only the daemon's own names are touched.
/// </summary>
public static class NetworkLeftovers
{
    public static IReadOnlyList<string> Links(string bridgeName, string chainPrefix)
    {
        using var netlink = new RtNetlink();
        return netlink.ListLinks().Where(l => Owned(l, bridgeName, chainPrefix)).Select(l => l.Name).ToList();
    }

    public static IReadOnlyList<string> Rules(string chainPrefix)
    {
        var iptables = new IptablesCommands();
        return [.. FirewallRules.OwnedLines(chainPrefix, iptables.Save("filter")), .. FirewallRules.OwnedLines(chainPrefix, iptables.Save("nat"))];
    }

    /// <summary>Pinned network namespaces (mount points under &lt;exec-root&gt;/netns) still present.</summary>
    public static IReadOnlyList<string> Namespaces(string execRoot)
    {
        string dir = Path.Combine(execRoot, "netns") + "/";
        return [.. File.ReadLines("/proc/self/mountinfo").Select(l => l.Split(' ')).Where(f => f.Length > 4 && f[4].StartsWith(dir, StringComparison.Ordinal)).Select(f => f[4])];
    }

    public static void RemoveAll(string bridgeName, string chainPrefix, string? execRoot = null)
    {
        if (execRoot is not null)
        {
            foreach (string pin in Namespaces(execRoot))
            {
                NetworkNamespaces.Remove(pin);
            }
        }
        using (var netlink = new RtNetlink())
        {
            foreach (var link in netlink.ListLinks().Where(l => Owned(l, bridgeName, chainPrefix)))
            {
                try
                {
                    netlink.DeleteLink(link.Name);
                }
                catch (NetlinkException e) when (e.Errno == NetlinkException.ENODEV)
                {
                }
            }
        }
        new Firewall(chainPrefix, new IptablesCommands(), NullLogger.Instance).RemoveAll();
    }

    private static bool Owned(LinkInfo link, string bridgeName, string chainPrefix) =>
        link.Name == bridgeName || link.Alias?.StartsWith($"berth:{chainPrefix}:", StringComparison.Ordinal) == true;
}
