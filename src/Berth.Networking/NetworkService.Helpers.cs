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
        var plan = IpamPlanner.Plan([], config.DefaultAddressPools, UsedSubnets(), _devices.HostRoutes());
        return new NetworkRecord
        {
            Id = NewUniqueId(),
            Name = BridgeNetwork,
            Driver = "bridge",
            Created = _time.GetUtcNow(),
            Predefined = true,
            IpamConfig = [plan.Pool],
            BridgeName = config.Bridge,
            // What dockerd shows for its default bridge.
            Options = new Dictionary<string, string>
            {
                [DriverOptions.DefaultBridgeKey] = "true",
                [DriverOptions.IccKey] = "true",
                [DriverOptions.MasqueradeKey] = "true",
                [DriverOptions.HostBindingKey] = "0.0.0.0",
                [DriverOptions.BridgeNameKey] = config.Bridge,
                [DriverOptions.MtuKey] = "1500",
            },
        };
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
