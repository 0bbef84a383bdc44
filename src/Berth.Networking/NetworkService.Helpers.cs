using Berth.Engine.Configuration;
using Berth.Engine.Errors;
using Berth.Engine.Networks;
using Berth.Engine.State;
using Berth.Networking.Firewall;
using Berth.Networking.Ipam;
using Microsoft.Extensions.Logging;

namespace Berth.Networking;

public sealed partial class NetworkService
{
    private static void ValidateRequest(NetworkCreateRequest request)
    {
        if (string.IsNullOrEmpty(request.Name))
        {
            throw DaemonException.InvalidParameter(Messages.NetworkNameRequired);
        }
        if (Predefined.Contains(request.Name))
        {
            throw DaemonException.Forbidden(Messages.PredefinedNetworkCreate(request.Name));
        }
        if (request.EnableIPv6 == true)
        {
            throw DaemonException.InvalidParameter(Messages.Ipv6Unsupported);
        }
        if (request.Scope is { Length: > 0 } scope && scope != "local")
        {
            throw DaemonException.InvalidParameter(Messages.SwarmScopeUnsupported);
        }
        if (request.ConfigOnly || !string.IsNullOrEmpty(request.ConfigFrom))
        {
            throw DaemonException.InvalidParameter(Messages.ConfigOnlyUnsupported);
        }
        if (request.Ingress)
        {
            throw DaemonException.InvalidParameter(Messages.IngressUnsupported);
        }
        if (request.IpamDriver is { Length: > 0 } ipam && ipam != "default")
        {
            throw DaemonException.InvalidParameter(Messages.IpamDriverUnsupported(ipam));
        }
    }

    private NetworkRecord DefaultBridge()
    {
        var config = _config();
        var plan = DefaultBridgePool(config, null);
        return new NetworkRecord
        {
            Id = NewUniqueId(),
            Name = BridgeNetwork,
            Driver = "bridge",
            Created = _time.GetUtcNow(),
            Predefined = true,
            IpamConfig = [plan.Pool],
            BridgeName = config.Bridge,
            Options = DefaultBridgeOptions(config),
        };
    }

    /// <summary>What dockerd shows for its default bridge, from --bridge, --icc, --ip-masq and --mtu.</summary>
    private static Dictionary<string, string> DefaultBridgeOptions(DaemonConfig config) => new()
    {
        [DriverOptions.DefaultBridgeKey] = "true",
        [DriverOptions.IccKey] = config.Icc ? "true" : "false",
        [DriverOptions.MasqueradeKey] = config.IpMasq ? "true" : "false",
        [DriverOptions.HostBindingKey] = "0.0.0.0",
        [DriverOptions.BridgeNameKey] = config.Bridge,
        [DriverOptions.MtuKey] = config.Mtu.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    /// <summary>
    /// The default bridge's pool: --bip (its address is the gateway, its network the subnet) with
    /// --fixed-cidr as the range; --fixed-cidr alone as subnet and range; else the first free
    /// subnet of the default pools. <paramref name="ownId"/> is left out of the overlap check.
    /// </summary>
    private IpamPlan DefaultBridgePool(DaemonConfig config, string? ownId)
    {
        var others = _networks.Values.Where(n => n.Id != ownId).SelectMany(n => n.IpamConfig).Select(p => Ipv4Prefix.Parse(p.Subnet)).ToList();
        string? range = config.FixedCidr is { } f ? Ipv4Prefix.Parse(f).Masked.ToString() : null;
        if (config.Bip is { } bip)
        {
            var address = Ipv4Prefix.Parse(bip);
            return IpamPlanner.Plan([new IpamPoolRequest(address.Masked.ToString(), range, Ipv4Prefix.Format(address.Address), null)], config.DefaultAddressPools, others, []);
        }
        if (range is not null)
        {
            return IpamPlanner.Plan([new IpamPoolRequest(range, range, null, null)], config.DefaultAddressPools, others, []);
        }
        return IpamPlanner.Plan([], config.DefaultAddressPools, others, _devices.HostRoutes());
    }

    private NetworkRecord PredefinedRecord(string name) => new()
    {
        Id = NewUniqueId(),
        Name = name,
        Driver = name == "none" ? "null" : name,
        Created = _time.GetUtcNow(),
        Predefined = true,
    };

    private string NewUniqueId()
    {
        while (true)
        {
            string id = IdGenerator.NewId();
            if (!_networks.Keys.Any(k => k.StartsWith(id[..IdGenerator.ShortLength], StringComparison.Ordinal)))
            {
                return id;
            }
        }
    }

    private List<NetworkRecord> BridgeNetworks() =>
        _networks.Values.Where(n => n.Driver == "bridge").OrderBy(n => n.Created).ToList();

    private List<Ipv4Prefix> UsedSubnets() =>
        _networks.Values.SelectMany(n => n.IpamConfig).Select(p => Ipv4Prefix.Parse(p.Subnet)).ToList();

    private void EnsureDevice(NetworkRecord n)
    {
        var pool = n.IpamConfig[0];
        if (!Ipv4Prefix.TryParseAddress(pool.Gateway, out uint gateway))
        {
            throw new InvalidOperationException($"network {n.Name} has no valid gateway ({pool.Gateway})");
        }
        var options = DriverOptions.Parse(n.Options);
        _devices.Ensure(n.BridgeName, n.Id, Ipv4Prefix.Parse(pool.Subnet), gateway, options.Mtu);
        if (!n.Internal)
        {
            // Published ports answer on 127.0.0.1 too (hairpin NAT, no proxy).
            Ports.RouteLocalnet.Enable(n.BridgeName);
        }
    }

    internal static IReadOnlyList<BridgeRules> RulesFor(IEnumerable<NetworkRecord> networks) =>
        networks.Select(n =>
        {
            var o = DriverOptions.Parse(n.Options);
            return new BridgeRules(n.BridgeName, n.IpamConfig[0].Subnet, n.Internal, o.Icc, o.Masquerade);
        }).ToList();

    private static Dictionary<string, string> Attributes(NetworkRecord n) => new()
    {
        ["name"] = n.Name,
        ["type"] = n.Driver,
    };

    private static Dictionary<string, string> Copy(IReadOnlyDictionary<string, string>? source) =>
        source is null ? new Dictionary<string, string>() : new Dictionary<string, string>(source);

    [LoggerMessage(EventId = 720, Level = LogLevel.Information, Message = "Removed leftover bridge {Device}: no stored network owns it")]
    private static partial void LogOrphanRemoved(ILogger logger, string device);

    [LoggerMessage(EventId = 721, Level = LogLevel.Warning, Message = "Enabled net.ipv4.ip_forward (it was off): bridge networks route through the host")]
    private static partial void LogForwardingEnabled(ILogger logger);

    [LoggerMessage(EventId = 722, Level = LogLevel.Error, Message = "Cleaning up after the failed creation of network {Name} failed: {Reason}")]
    private static partial void LogUndoFailed(ILogger logger, string name, string reason);
}
