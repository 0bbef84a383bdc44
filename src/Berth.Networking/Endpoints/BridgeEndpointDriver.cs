using System.Net;
using Berth.Linux.Netlink;
using Berth.Linux.Netns;
using Berth.Networking.Ipam;

namespace Berth.Networking.Endpoints;

/// <summary>
/// The bridge driver's endpoint plumbing, all rtnetlink (no `ip` processes): one request creates
/// the veth pair with the host end up on the network's bridge and the peer already inside the
/// container's namespace under its final name, MAC and MTU; then the address, link up and, for
/// the gateway endpoint, the default route through a socket opened in that namespace.
/// Host ends carry the alias "berth:&lt;prefix&gt;:ep:&lt;endpoint id&gt;" so start-up can tell
/// this daemon's veths from anything else.
/// </summary>
public sealed class BridgeEndpointDriver
{
    private readonly IRtNetlink _host;
    private readonly string _aliasPrefix;

    public BridgeEndpointDriver(IRtNetlink host, string chainPrefix)
    {
        _host = host;
        _aliasPrefix = $"berth:{chainPrefix}:ep:";
    }

    public IRtNetlink Host => _host;

    public string AliasFor(string endpointId) => _aliasPrefix + endpointId;

    /// <summary>The endpoint id of one of this daemon's host veths, from its alias; null for anything else.</summary>
    public string? EndpointIdOf(LinkInfo link) =>
        link.Alias is { } alias && alias.StartsWith(_aliasPrefix, StringComparison.Ordinal) ? alias[_aliasPrefix.Length..] : null;

    /// <summary>Creates and configures one endpoint; on failure removes what it created.</summary>
    public void Plumb(IRtNetlink inside, string sandboxKey, EndpointLease lease, string interfaceName, string hostVeth, bool defaultRoute)
    {
        using (var ns = NetworkNamespaces.OpenFd(sandboxKey))
        {
            _host.CreateVethPair(new VethPair(hostVeth, interfaceName, lease.Mtu, lease.Network.BridgeName, lease.Mac, ns.Fd, Up: true));
        }
        try
        {
            _host.SetAlias(hostVeth, AliasFor(lease.EndpointId));
            inside.AddAddress(interfaceName, Ipv4Prefix.ToIPAddress(lease.Address), lease.PrefixLength);
            inside.SetUp(interfaceName);
            if (defaultRoute)
            {
                inside.AddRoute(IPAddress.Any, 0, Ipv4Prefix.ToIPAddress(lease.Gateway), interfaceName);
            }
        }
        catch
        {
            Unplumb(hostVeth);
            throw;
        }
    }

    /// <summary>Deletes the host end (the kernel deletes the peer with it); a missing link is fine.</summary>
    public void Unplumb(string hostVeth)
    {
        if (hostVeth.Length == 0)
        {
            return;
        }
        try
        {
            _host.DeleteLink(hostVeth);
        }
        catch (NetlinkException e) when (e.Errno == NetlinkException.ENODEV)
        {
        }
    }

    public static bool HasDefaultRoute(IRtNetlink inside) =>
        inside.ListRoutes().Any(r => r.Table == Nl.RtTableMain && r.PrefixLength == 0);

    /// <summary>Adds the default route through an endpoint (used when the gateway endpoint went away).</summary>
    public static void AddDefaultRoute(IRtNetlink inside, string interfaceName, uint gateway) =>
        inside.AddRoute(IPAddress.Any, 0, Ipv4Prefix.ToIPAddress(gateway), interfaceName);

    /// <summary>Start-up repair: the host end is on its bridge and up (a recreated bridge loses its ports).</summary>
    public void Reattach(LinkInfo link, string bridge)
    {
        var master = _host.GetLink(bridge);
        if (master is not null && link.MasterIndex != master.Index)
        {
            _host.SetMaster(link.Name, bridge);
        }
        if (!link.IsUp)
        {
            _host.SetUp(link.Name);
        }
    }
}
