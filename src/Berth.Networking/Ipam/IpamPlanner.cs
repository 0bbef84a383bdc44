using Berth.Engine.Configuration;
using Berth.Engine.Errors;
using Berth.Engine.Networks;

namespace Berth.Networking.Ipam;

/// <summary>The pool a new network gets and the addresses reserved in it from the start.</summary>
public sealed record IpamPlan(IpamPoolConfig Pool, IReadOnlyDictionary<string, string> Reserved);

/// <summary>
/// Validates a create request's IPAM section with dockerd's messages (api/types/network
/// ValidateIPAM) and turns it into one IPv4 pool: the requested subnet, or the first free
/// default-pool subnet; gateway = first host address unless given; aux addresses reserved.
/// </summary>
public static class IpamPlanner
{
    public const string GatewayOwner = "gateway";

    public static IpamPlan Plan(IReadOnlyList<IpamPoolRequest> requested, IReadOnlyList<AddressPool> defaults,
        IReadOnlyCollection<Ipv4Prefix> networksInUse, IReadOnlyCollection<Ipv4Prefix> hostRoutes)
    {
        Validate(requested);
        var v4 = requested.Where(r => !Ipv4Prefix.LooksIpv6(r.Subnet ?? "")).ToList();
        if (v4.Count > 1)
        {
            throw DaemonException.InvalidParameter(Messages.IpamMultipleV4Pools);
        }
        if (v4.Count == 0 || string.IsNullOrEmpty(v4[0].Subnet))
        {
            var subnet = SubnetAllocator.Allocate(defaults, [.. networksInUse, .. hostRoutes]);
            return Build(subnet, null, null, null);
        }
        var r = v4[0];
        var requestedSubnet = Ipv4Prefix.Parse(r.Subnet!);
        if (networksInUse.Any(u => u.Overlaps(requestedSubnet)))
        {
            throw DaemonException.Forbidden(Messages.PoolOverlaps);
        }
        Ipv4Prefix? range = string.IsNullOrEmpty(r.IPRange) ? null : Ipv4Prefix.Parse(r.IPRange);
        uint? gateway = string.IsNullOrEmpty(r.Gateway) ? null : Parse(r.Gateway);
        var plan = Build(requestedSubnet, range, gateway, r.AuxiliaryAddresses);
        return plan with { Pool = plan.Pool with { UserSubnet = true } };
    }

    /// <summary>ValidateIPAM: every problem collected, then one "invalid network config" error.</summary>
    public static void Validate(IReadOnlyList<IpamPoolRequest> requested)
    {
        var errors = new List<string>();
        foreach (var cfg in requested)
        {
            string subnetText = cfg.Subnet ?? "";
            if (Ipv4Prefix.LooksIpv6(subnetText))
            {
                continue; // IPv6 pools only matter with EnableIPv6, which is refused earlier
            }
            if (!Ipv4Prefix.TryParse(subnetText, out var subnet))
            {
                errors.Add($"invalid subnet {subnetText}: invalid CIDR block notation");
                continue;
            }
            if (!subnet.IsMasked)
            {
                errors.Add($"invalid subnet {subnet}: it should be {subnet.Masked}");
            }
            ValidateRange(cfg.IPRange, subnet, errors);
            if (AddressError(cfg.Gateway, subnet) is { } g)
            {
                errors.Add($"invalid gateway {cfg.Gateway}: {g}");
            }
            foreach (var (name, aux) in cfg.AuxiliaryAddresses ?? new Dictionary<string, string>())
            {
                if (AddressError(aux, subnet) is { } a)
                {
                    errors.Add($"invalid auxiliary address {name}: {a}");
                }
            }
        }
        if (errors.Count > 0)
        {
            throw DaemonException.InvalidParameter(Messages.InvalidNetworkConfig(errors));
        }
    }

    private static void ValidateRange(string? text, Ipv4Prefix subnet, List<string> errors)
    {
        if (string.IsNullOrEmpty(text))
        {
            return;
        }
        if (Ipv4Prefix.LooksIpv6(text))
        {
            errors.Add($"invalid ip-range {text}: parent subnet is an IPv4 block");
            return;
        }
        if (!Ipv4Prefix.TryParse(text, out var range))
        {
            errors.Add($"invalid ip-range {text}: invalid CIDR block notation");
            return;
        }
        if (range.Bits < subnet.Bits)
        {
            errors.Add($"invalid ip-range {text}: CIDR block is bigger than its parent subnet {subnet}");
        }
        if (!range.IsMasked)
        {
            errors.Add($"invalid ip-range {range}: it should be {range.Masked}");
        }
        if (!subnet.Overlaps(range))
        {
            errors.Add($"invalid ip-range {text}: parent subnet {subnet} doesn't contain ip-range");
        }
    }

    private static string? AddressError(string? text, Ipv4Prefix subnet)
    {
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }
        if (Ipv4Prefix.LooksIpv6(text))
        {
            return "parent subnet is an IPv4 block";
        }
        if (!Ipv4Prefix.TryParseAddress(text, out uint address))
        {
            return "invalid address";
        }
        return subnet.Contains(address) ? null : $"parent subnet {subnet} doesn't contain this address";
    }

    private static uint Parse(string text) =>
        Ipv4Prefix.TryParseAddress(text, out uint a) ? a : throw DaemonException.InvalidParameter($"invalid address {text}");

    private static IpamPlan Build(Ipv4Prefix subnet, Ipv4Prefix? range, uint? gateway, IReadOnlyDictionary<string, string>? aux)
    {
        subnet = subnet.Masked;
        // libnetwork: the gateway defaults to the first host address of the subnet (not of the range).
        uint gw = gateway ?? (subnet.Bits >= 31 ? subnet.First : subnet.First + 1);
        var reserved = new Dictionary<string, string> { [Ipv4Prefix.Format(gw)] = GatewayOwner };
        var auxCopy = aux is null ? null : new Dictionary<string, string>(aux);
        foreach (var (name, text) in auxCopy ?? [])
        {
            reserved.TryAdd(Ipv4Prefix.Format(Parse(text)), "aux:" + name);
        }
        var pool = new IpamPoolConfig(subnet.ToString(), range?.Masked.ToString(), Ipv4Prefix.Format(gw),
            auxCopy is { Count: > 0 } ? auxCopy : null);
        return new IpamPlan(pool, reserved);
    }
}
