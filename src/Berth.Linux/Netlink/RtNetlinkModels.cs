using System.Net;

namespace Berth.Linux.Netlink;

/// <summary>A network interface as RTM_NEWLINK describes it.</summary>
public sealed record LinkInfo(int Index, string Name, string? Kind, uint Flags, int Mtu, string? Mac, int? MasterIndex, string? Alias)
{
    public bool IsUp => (Flags & 0x1) != 0;
}

/// <summary>An IPv4 address assigned to an interface.</summary>
public sealed record AddressInfo(int Index, IPAddress Address, int PrefixLength, string? Label);

/// <summary>An IPv4 route (main and local tables alike; <see cref="Table"/> tells which).</summary>
public sealed record RouteInfo(IPAddress Destination, int PrefixLength, int? OutputIndex, IPAddress? Gateway, uint Table);

/// <summary>
/// A veth pair to create in one request: <see cref="Name"/> in the caller's namespace (enslaved to
/// <see cref="Master"/> when given), <see cref="PeerName"/> inside the namespace open as
/// <see cref="PeerNetnsFd"/> (or beside it when null). <see cref="Up"/> raises the host end only.
/// </summary>
public sealed record VethPair(string Name, string PeerName, int? Mtu = null, string? Master = null, byte[]? PeerMac = null, int? PeerNetnsFd = null, bool Up = false);
