using System.Net;

namespace Berth.Linux.Netlink;

/// <summary>
/// The rtnetlink operations the daemon needs (links, IPv4 addresses, routes). An interface so
/// the networking service can be unit-tested with a fake; <see cref="RtNetlink"/> is the real one.
/// Methods taking a name resolve it to an index first; a missing link is ENODEV.
/// </summary>
public interface IRtNetlink : IDisposable
{
    void CreateBridge(string name, int? mtu = null);
    void CreateVeth(string name, string peerName, int? mtu = null);

    /// <summary>Creates both ends at once (peer optionally straight into another namespace); EEXIST when the name is taken.</summary>
    void CreateVethPair(VethPair pair);
    void SetMaster(string name, string master);

    /// <summary>Adds a route via a gateway on a device (0.0.0.0/0 is the default route); EEXIST when present.</summary>
    void AddRoute(IPAddress destination, int prefixLength, IPAddress gateway, string device);
    void DeleteLink(string name);
    void SetUp(string name, bool up = true);
    void SetMtu(string name, int mtu);
    void SetName(string name, string newName);
    void SetMac(string name, ReadOnlySpan<byte> mac);
    void SetAlias(string name, string alias);
    void MoveToNetnsByFd(string name, int netnsFd);
    void MoveToNetnsByPid(string name, int pid);
    void AddAddress(string name, IPAddress address, int prefixLength);
    void DeleteAddress(string name, IPAddress address, int prefixLength);

    /// <summary>The link, or null when no link has that name.</summary>
    LinkInfo? GetLink(string name);
    IReadOnlyList<LinkInfo> ListLinks();
    IReadOnlyList<AddressInfo> ListAddresses();
    IReadOnlyList<RouteInfo> ListRoutes();
}
