using Berth.Engine.Containers;
using Berth.Engine.Networks;

namespace Berth.Api.Models;

/// <summary>Wire ↔ engine for endpoint settings (create's EndpointsConfig, connect, inspect, list).</summary>
public static class EndpointWireMapping
{
    /// <summary>The request half: what the client may ask for.</summary>
    public static EndpointSettings ToEngine(EndpointSettingsWire? wire) => new()
    {
        IPAMConfig = string.IsNullOrEmpty(wire?.IPAMConfig?.IPv4Address) ? null : new EndpointIpamSettings(wire.IPAMConfig.IPv4Address),
        Links = wire?.Links,
        Aliases = wire?.Aliases,
        DesiredMacAddress = string.IsNullOrEmpty(wire?.MacAddress) ? null : wire.MacAddress,
        DriverOpts = wire?.DriverOpts,
        NetworkID = wire?.NetworkID ?? "",
    };

    public static IReadOnlyDictionary<string, EndpointSettings>? ToEngine(NetworkingConfigWire? wire) =>
        wire?.EndpointsConfig?.ToDictionary(p => p.Key, p => ToEngine(p.Value), StringComparer.Ordinal);

    /// <summary>
    /// One network of inspect/list. Before API 1.45 dockerd added the short id and the hostname
    /// to the aliases of user-defined networks when showing them; Berth's maximum is 1.44.
    /// </summary>
    public static EndpointSettingsWire ToWire(string name, EndpointSettings e, ContainerRecord record)
    {
        var aliases = e.Aliases?.ToList();
        if (IsUserDefined(name))
        {
            aliases ??= [];
            foreach (string extra in new[] { record.Id[..12], record.Config.Hostname })
            {
                if (extra.Length > 0 && !aliases.Contains(extra))
                {
                    aliases.Add(extra);
                }
            }
        }
        return new EndpointSettingsWire
        {
            IPAMConfig = e.IPAMConfig is { } ipam ? new EndpointIpamWire { IPv4Address = ipam.IPv4Address } : null,
            Links = e.Links?.ToList(),
            Aliases = aliases,
            MacAddress = e.MacAddress.Length > 0 ? e.MacAddress : e.DesiredMacAddress ?? "",
            DriverOpts = e.DriverOpts?.ToDictionary(p => p.Key, p => p.Value),
            NetworkID = e.NetworkID,
            EndpointID = e.EndpointID,
            Gateway = e.Gateway,
            IPAddress = e.IPAddress,
            IPPrefixLen = e.IPPrefixLen,
            IPv6Gateway = "",
            GlobalIPv6Address = "",
            GlobalIPv6PrefixLen = 0,
            DNSNames = e.DNSNames?.ToList(),
        };
    }

    public static SortedDictionary<string, EndpointSettingsWire> Networks(ContainerRecord record)
    {
        var result = new SortedDictionary<string, EndpointSettingsWire>(StringComparer.Ordinal);
        foreach (var (name, endpoint) in record.NetworkSettings.Networks ?? new Dictionary<string, EndpointSettings>())
        {
            result[name] = ToWire(name, endpoint, record);
        }
        return result;
    }

    /// <summary>GET /containers/{id}/json NetworkSettings: top-level fields from the default bridge endpoint, as API 1.44 shows them.</summary>
    public static NetworkSettingsWire Settings(ContainerRecord record)
    {
        var settings = record.NetworkSettings;
        var bridge = settings.Endpoint("bridge") ?? new EndpointSettings();
        return new NetworkSettingsWire
        {
            SandboxID = settings.SandboxID,
            SandboxKey = settings.SandboxKey,
            EndpointID = bridge.EndpointID,
            Gateway = bridge.Gateway,
            IPAddress = bridge.IPAddress,
            IPPrefixLen = bridge.IPPrefixLen,
            MacAddress = bridge.MacAddress,
            Networks = Networks(record),
        };
    }

    private static bool IsUserDefined(string name) =>
        name is not ("default" or "bridge" or "host" or "none") && !name.StartsWith("container:", StringComparison.Ordinal);
}
