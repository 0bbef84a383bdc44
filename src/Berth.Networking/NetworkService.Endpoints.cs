using Berth.Engine.Errors;
using Berth.Engine.Networks;
using Berth.Networking.Ipam;

namespace Berth.Networking;

/// <summary>
/// An endpoint's place on a network: its address (0 for host/none networks, which hand out
/// none), prefix, gateway, MAC and the device facts the bridge driver needs.
/// </summary>
public sealed record EndpointLease(NetworkRecord Network, string EndpointId, uint Address, int PrefixLength, uint Gateway, byte[] Mac, int? Mtu)
{
    public bool HasAddress => Address != 0;
}

/// <summary>
/// Endpoint IPAM and the table of live endpoints. Endpoint addresses live in memory only: the
/// container record (committed when the container runs) is their durable copy, and start-up
/// rebuilds the table from the running containers (<see cref="RestoreLease"/>). So an address
/// costs no disk write, and a crash can never leave one allocated to a container that is not
/// running. The gateway and auxiliary addresses stay in the store, reserved at network create.
/// </summary>
public sealed partial class NetworkService
{
    /// <summary><see cref="Releasing"/>: the container is gone, its veth is still being deleted; the address stays taken.</summary>
    private sealed record LiveEndpoint(NetworkEndpoint Info, uint Address, bool Releasing = false);

    // network id → endpoint id → endpoint; guarded by _lock like the networks themselves.
    private readonly Dictionary<string, Dictionary<string, LiveEndpoint>> _endpoints = new(StringComparer.Ordinal);
    private readonly Dictionary<string, HashSet<uint>> _reserved = new(StringComparer.Ordinal);

    /// <summary>A network by full id, name or unique id prefix; null when none matches.</summary>
    public NetworkRecord? TryFind(string idOrName)
    {
        lock (_lock)
        {
            try
            {
                return NetworkLookup.Find(_networks.Values, idOrName);
            }
            catch (DaemonException e) when (e.Kind == ErrorKind.NotFound)
            {
                return null;
            }
        }
    }

    /// <summary>
    /// Allocates an endpoint on a network: the requested address (checked against the subnet and
    /// what is taken) or the lowest free one; the MAC asked for or 02:42 + the address. Endpoint
    /// names are unique per network (dockerd names endpoints after the container).
    /// </summary>
    public EndpointLease Lease(string networkId, string endpointId, string containerId, string containerName, string? requestedAddress, string? requestedMac)
    {
        lock (_lock)
        {
            if (!_networks.TryGetValue(networkId, out var n))
            {
                throw DaemonException.NotFound(Messages.NetworkNotFound(networkId));
            }
            var live = EndpointsOfLocked(networkId);
            if (live.Values.Any(e => !e.Releasing && (e.Info.ContainerId == containerId || e.Info.Name == containerName)))
            {
                throw DaemonException.Forbidden(Messages.EndpointExists(containerName, n.Name));
            }
            uint address = 0, gateway = 0;
            int prefix = 0;
            if (n.Driver == "bridge")
            {
                var pool = n.IpamConfig[0];
                var subnet = Ipv4Prefix.Parse(pool.Subnet);
                var taken = new HashSet<uint>(ReservedLocked(networkId));
                taken.UnionWith(live.Values.Select(e => e.Address));
                if (Ipv4Prefix.TryParseAddress(pool.Gateway, out uint gatewayAddress))
                {
                    // The gateway is reserved in the store, but the default bridge's can move with --bip.
                    taken.Add(gatewayAddress);
                }
                address = string.IsNullOrEmpty(requestedAddress)
                    ? AddressAllocator.Next(pool, taken) ?? throw DaemonException.Unavailable(Messages.NoAvailableAddresses)
                    : Requested(pool, subnet, requestedAddress, taken);
                prefix = subnet.Bits;
                _ = Ipv4Prefix.TryParseAddress(pool.Gateway, out gateway);
            }
            byte[] mac = string.IsNullOrEmpty(requestedMac)
                ? (address == 0 ? [] : MacAddresses.FromIPv4(address))
                : MacAddresses.Parse(requestedMac) ?? throw DaemonException.InvalidParameter(Messages.InvalidMacAddress(requestedMac));
            string shown = address == 0 ? "" : $"{Ipv4Prefix.Format(address)}/{prefix}";
            live[endpointId] = new LiveEndpoint(new NetworkEndpoint(containerId, containerName, endpointId, mac.Length == 0 ? "" : MacAddresses.Format(mac), shown, ""), address);
            return new EndpointLease(n, endpointId, address, prefix, gateway, mac, DriverOptions.Parse(n.Options).Mtu);
        }
    }

    /// <summary>
    /// The endpoint's container let go of it: it stops counting for inspect and in-use checks at
    /// once, but its address stays taken until <see cref="Unlease"/> (its veth may still answer).
    /// </summary>
    public void BeginUnlease(string networkId, string endpointId)
    {
        lock (_lock)
        {
            if (_endpoints.TryGetValue(networkId, out var live) && live.TryGetValue(endpointId, out var endpoint))
            {
                live[endpointId] = endpoint with { Releasing = true };
            }
        }
    }

    /// <summary>True when the address is held by an endpoint that is being released (worth waiting for).</summary>
    public bool IsReleasing(string networkId, string address)
    {
        lock (_lock)
        {
            return Ipv4Prefix.TryParseAddress(address, out uint a) && _endpoints.TryGetValue(networkId, out var live)
                && live.Values.Any(e => e.Releasing && e.Address == a);
        }
    }

    /// <summary>Frees an endpoint's address and drops it from the table (unknown ids are fine).</summary>
    public void Unlease(string networkId, string endpointId)
    {
        lock (_lock)
        {
            if (_endpoints.TryGetValue(networkId, out var live))
            {
                live.Remove(endpointId);
            }
        }
    }

    /// <summary>Start-up: puts back the endpoint of a container that kept running. False when its network is gone.</summary>
    public bool RestoreLease(string networkId, NetworkEndpoint endpoint, string address)
    {
        lock (_lock)
        {
            if (!_networks.ContainsKey(networkId))
            {
                return false;
            }
            _ = Ipv4Prefix.TryParseAddress(address, out uint a);
            EndpointsOfLocked(networkId)[endpoint.EndpointId] = new LiveEndpoint(endpoint, a);
            return true;
        }
    }

    private Dictionary<string, LiveEndpoint> EndpointsOfLocked(string networkId)
    {
        if (!_endpoints.TryGetValue(networkId, out var live))
        {
            live = new Dictionary<string, LiveEndpoint>(StringComparer.Ordinal);
            _endpoints[networkId] = live;
        }
        return live;
    }

    /// <summary>The gateway and aux addresses reserved at create (read once per network; they never change).</summary>
    private HashSet<uint> ReservedLocked(string networkId)
    {
        if (!_reserved.TryGetValue(networkId, out var set))
        {
            set = [];
            foreach (var address in _store.LoadAddresses(networkId).Keys)
            {
                if (Ipv4Prefix.TryParseAddress(address, out uint a))
                {
                    set.Add(a);
                }
            }
            _reserved[networkId] = set;
        }
        return set;
    }

    private static uint Requested(IpamPoolConfig pool, Ipv4Prefix subnet, string text, HashSet<uint> taken)
    {
        if (!Ipv4Prefix.TryParseAddress(text, out uint address))
        {
            throw DaemonException.InvalidParameter(Messages.InvalidIPv4Address(text));
        }
        if (!pool.UserSubnet)
        {
            throw DaemonException.InvalidParameter(Messages.StaticIpWithoutUserSubnet);
        }
        if (!subnet.Contains(address))
        {
            throw DaemonException.InvalidParameter(Messages.AddressNotInSubnet(text));
        }
        if (taken.Contains(address))
        {
            throw DaemonException.Forbidden(Messages.AddressInUse);
        }
        return address;
    }

    private IReadOnlyList<NetworkEndpoint> EndpointList(string networkId)
    {
        lock (_lock)
        {
            return _endpoints.TryGetValue(networkId, out var live) ? [.. live.Values.Where(e => !e.Releasing).Select(e => e.Info)] : [];
        }
    }
}
