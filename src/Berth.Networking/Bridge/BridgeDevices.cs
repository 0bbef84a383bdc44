using System.Diagnostics;
using Berth.Linux.Netlink;
using Berth.Networking.Ipam;
using Microsoft.Extensions.Logging;

namespace Berth.Networking.Bridge;

/// <summary>
/// Creates and removes the Linux bridges of bridge networks. Each bridge carries the alias
/// "berth:&lt;chain prefix&gt;:&lt;network id&gt;" so reconciliation can tell this daemon's devices
/// from anything else on the host (another daemon, dockerd, the operator) and only ever deletes its own.
/// </summary>
public sealed partial class BridgeDevices
{
    private readonly IRtNetlink _netlink;
    private readonly string _aliasPrefix;
    private readonly ILogger _log;

    public BridgeDevices(IRtNetlink netlink, string chainPrefix, ILogger log)
    {
        _netlink = netlink;
        _aliasPrefix = $"berth:{chainPrefix}:";
        _log = log;
    }

    public string AliasFor(string networkId) => _aliasPrefix + networkId;

    /// <summary>True when a link of that name exists and is not this network's.</summary>
    public bool IsTakenByOther(string name, string networkId) =>
        _netlink.GetLink(name) is { } link && link.Alias != AliasFor(networkId);

    /// <summary>Makes the bridge exist, carry the gateway address and be up. Idempotent.</summary>
    public void Ensure(string name, string networkId, Ipv4Prefix subnet, uint gateway, int? mtu)
    {
        var watch = Stopwatch.StartNew();
        var link = _netlink.GetLink(name);
        if (link is null)
        {
            _netlink.CreateBridge(name, mtu);
            link = _netlink.GetLink(name) ?? throw new InvalidOperationException($"bridge {name} vanished after creation");
        }
        else if (link.Kind != "bridge")
        {
            throw new InvalidOperationException($"device {name} exists and is not a bridge ({link.Kind ?? "unknown kind"})");
        }
        bool ours = link.Alias == AliasFor(networkId);
        if (!ours)
        {
            _netlink.SetAlias(name, AliasFor(networkId));
        }
        if (mtu is { } m && link.Mtu != m)
        {
            _netlink.SetMtu(name, m);
        }
        var gatewayAddress = Ipv4Prefix.ToIPAddress(gateway);
        var addresses = _netlink.ListAddresses().Where(a => a.Index == link.Index).ToList();
        foreach (var stale in addresses.Where(a => ours && !(a.Address.Equals(gatewayAddress) && a.PrefixLength == subnet.Bits)))
        {
            // Only on a bridge that already carried our alias: an old gateway (--bip changed) goes.
            _netlink.DeleteAddress(name, stale.Address, stale.PrefixLength);
        }
        if (!addresses.Any(a => a.Address.Equals(gatewayAddress) && a.PrefixLength == subnet.Bits))
        {
            _netlink.AddAddress(name, gatewayAddress, subnet.Bits);
        }
        if (!link.IsUp)
        {
            _netlink.SetUp(name);
        }
        LogEnsured(_log, name, $"{gatewayAddress}/{subnet.Bits}", watch.Elapsed.TotalMilliseconds);
    }

    /// <summary>Deletes the bridge if it is ours; a missing one is fine.</summary>
    public void Remove(string name, string networkId)
    {
        var link = _netlink.GetLink(name);
        if (link is null || link.Alias != AliasFor(networkId))
        {
            return;
        }
        try
        {
            _netlink.DeleteLink(name);
        }
        catch (NetlinkException e) when (e.Errno == NetlinkException.ENODEV)
        {
        }
    }

    /// <summary>
    /// Deletes bridges carrying this daemon's alias whose network no longer exists. Only bridges:
    /// endpoint veths carry the same prefix and are reconciled by the endpoint code.
    /// </summary>
    public IReadOnlyList<string> RemoveOrphans(IReadOnlySet<string> networkIds)
    {
        var removed = new List<string>();
        foreach (var link in _netlink.ListLinks())
        {
            if (link.Kind == "bridge" && link.Alias is { } alias && alias.StartsWith(_aliasPrefix, StringComparison.Ordinal) &&
                !networkIds.Contains(alias[_aliasPrefix.Length..]))
            {
                _netlink.DeleteLink(link.Name);
                removed.Add(link.Name);
            }
        }
        return removed;
    }

    /// <summary>Link indexes of this daemon's bridges (their routes are not "host" routes for IPAM).</summary>
    public IReadOnlySet<int> OwnIndexes() =>
        _netlink.ListLinks().Where(l => l.Kind == "bridge" && l.Alias?.StartsWith(_aliasPrefix, StringComparison.Ordinal) == true).Select(l => l.Index).ToHashSet();

    /// <summary>Main-table IPv4 routes other than the default route, except those through our bridges.</summary>
    public IReadOnlyList<Ipv4Prefix> HostRoutes()
    {
        var own = OwnIndexes();
        return _netlink.ListRoutes()
            .Where(r => r.Table == 254 && r.PrefixLength > 0 && (r.OutputIndex is not { } oif || !own.Contains(oif)))
            .Select(r => new Ipv4Prefix(Ipv4Prefix.FromIPAddress(r.Destination), r.PrefixLength).Masked)
            .ToList();
    }

    [LoggerMessage(EventId = 710, Level = LogLevel.Debug, Message = "Bridge {Name} ready with {Address} in {Ms:F1} ms")]
    private static partial void LogEnsured(ILogger logger, string name, string address, double ms);
}
