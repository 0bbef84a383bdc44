using Berth.Engine.Errors;
using Berth.Engine.Networks;

namespace Berth.Networking.Ipam;

/// <summary>
/// Per-network address allocation, as libnetwork's default IPAM does it: candidates are the
/// ip-range (or the whole subnet), the network and broadcast addresses are never handed out,
/// and the lowest free address wins. State is the set of taken addresses (persisted by the caller).
/// </summary>
public static class AddressAllocator
{
    /// <summary>The next free address of the pool, or null when it is full.</summary>
    public static uint? Next(IpamPoolConfig pool, IReadOnlySet<uint> taken)
    {
        var subnet = Ipv4Prefix.Parse(pool.Subnet);
        var range = pool.IPRange is { Length: > 0 } r ? Ipv4Prefix.Parse(r) : subnet;
        uint first = Math.Max(range.First, subnet.First);
        uint last = Math.Min(range.Last, subnet.Last);
        for (ulong a = first; a <= last; a++)
        {
            uint address = (uint)a;
            bool networkOrBroadcast = subnet.Bits < 31 && (address == subnet.First || address == subnet.Last);
            if (!networkOrBroadcast && !taken.Contains(address))
            {
                return address;
            }
        }
        return null;
    }

    /// <summary>Checks a specific requested address (e.g. a container's --ip).</summary>
    public static uint Validate(IpamPoolConfig pool, string requested, IReadOnlySet<uint> taken)
    {
        var subnet = Ipv4Prefix.Parse(pool.Subnet);
        if (!Ipv4Prefix.TryParseAddress(requested, out uint address) || !subnet.Contains(address))
        {
            throw DaemonException.InvalidParameter($"invalid address {requested}: not in subnet {pool.Subnet}");
        }
        if (taken.Contains(address))
        {
            throw DaemonException.Conflict($"Address already in use");
        }
        return address;
    }
}
