using Berth.Engine.Errors;
using Berth.Engine.Networks;
using Berth.Networking.Ipam;

namespace Berth.Networking.Endpoints;

/// <summary>
/// The pure decisions of container networking: what a network mode means, which networks a
/// container gets at create, validation with dockerd's texts (daemon/container_operations.go
/// validateEndpointSettings, updateNetworkSettings), interface names and DNS names.
/// </summary>
public static class EndpointPlanner
{
    public const string ContainerModePrefix = "container:";

    public static bool IsContainerMode(string mode) => mode.StartsWith(ContainerModePrefix, StringComparison.Ordinal);

    /// <summary>dockerd's NetworkMode.IsUserDefined: anything but default/bridge/host/none/container:x.</summary>
    public static bool IsUserDefined(string name) =>
        name is not ("default" or "bridge" or "host" or "none") && !IsContainerMode(name);

    /// <summary>Modes whose container gets a namespace of its own with veth endpoints.</summary>
    public static bool OwnsNamespace(string mode) => mode is not ("host" or "none") && !IsContainerMode(mode);

    /// <summary>
    /// Create: validates every requested endpoint (all problems of one network in one message,
    /// as dockerd joins them) and returns the settings to record: the given endpoints keyed by
    /// network name (when the network exists) plus the network mode's network.
    /// </summary>
    public static ContainerNetworkSettings Configure(NetworkConfigRequest request, Func<string, NetworkRecord?> find)
    {
        string mode = request.NetworkMode is "" or "default" ? "bridge" : request.NetworkMode;
        if (IsContainerMode(mode))
        {
            return new ContainerNetworkSettings { Networks = new Dictionary<string, EndpointSettings>() };
        }
        var networks = new Dictionary<string, EndpointSettings>(StringComparer.Ordinal);
        foreach (var (given, config) in request.EndpointsConfig ?? new Dictionary<string, EndpointSettings>())
        {
            // The CLI names the default network "default" when no --network is given.
            string key = given == "default" ? "bridge" : given;
            var network = find(key);
            var errors = Validate(key, config, network);
            if (errors.Count > 0)
            {
                throw DaemonException.InvalidParameter(Messages.InvalidEndpointSettings(key, errors));
            }
            networks[network?.Name ?? key] = Normalize(config);
        }
        string modeNetwork = IsUserDefined(mode) ? find(mode)?.Name ?? mode : mode;
        if (!networks.TryGetValue(modeNetwork, out var modeEndpoint))
        {
            modeEndpoint = new EndpointSettings();
        }
        if (!string.IsNullOrEmpty(request.LegacyMacAddress) && modeEndpoint.DesiredMacAddress is null)
        {
            if (MacAddresses.Parse(request.LegacyMacAddress) is null)
            {
                throw DaemonException.InvalidParameter(Messages.InvalidMacAddress(request.LegacyMacAddress));
            }
            modeEndpoint = modeEndpoint with { DesiredMacAddress = request.LegacyMacAddress };
        }
        networks[modeNetwork] = modeEndpoint;
        return new ContainerNetworkSettings { Networks = networks };
    }

    /// <summary>validateEndpointSettings: static addresses and aliases need a user-defined network; addresses must parse and fit.</summary>
    public static IReadOnlyList<string> Validate(string name, EndpointSettings config, NetworkRecord? network)
    {
        var errors = new List<string>();
        string? ip = config.IPAMConfig?.IPv4Address;
        bool predefined = !IsUserDefined(name) || network?.Predefined == true;
        if (predefined && !string.IsNullOrEmpty(ip))
        {
            errors.Add(Messages.StaticIpOnPredefinedNetwork);
        }
        if (predefined && config.Aliases is { Count: > 0 })
        {
            errors.Add(Messages.AliasOnPredefinedNetwork);
        }
        if (!string.IsNullOrEmpty(ip))
        {
            if (!Ipv4Prefix.TryParseAddress(ip, out uint address) || address == 0)
            {
                errors.Add(Messages.InvalidIPv4Address(ip));
            }
            else if (network is not null && !predefined)
            {
                var pool = network.IpamConfig.Count > 0 ? network.IpamConfig[0] : null;
                if (pool is null || !pool.UserSubnet)
                {
                    errors.Add(Messages.StaticIpWithoutUserSubnet);
                }
                else if (!Ipv4Prefix.Parse(pool.Subnet).Contains(address))
                {
                    errors.Add(Messages.AddressNotInSubnet(ip));
                }
            }
        }
        if (!string.IsNullOrEmpty(config.DesiredMacAddress) && MacAddresses.Parse(config.DesiredMacAddress) is null)
        {
            errors.Add(Messages.InvalidMacAddress(config.DesiredMacAddress));
        }
        return errors;
    }

    /// <summary>
    /// dockerd's updateNetworkSettings checks for adding <paramref name="network"/> to a container
    /// already on <paramref name="existing"/>: host networks and "none" do not mix with others.
    /// </summary>
    public static void CheckCompatible(string mode, NetworkRecord network, IEnumerable<NetworkRecord> existing)
    {
        if (IsContainerMode(mode))
        {
            throw DaemonException.InvalidParameter(Messages.ConflictSharedNetwork);
        }
        if (mode != "host" && network.Driver == "host")
        {
            throw DaemonException.InvalidParameter(Messages.ConnectToHostNetwork);
        }
        foreach (var other in existing)
        {
            if (other.Id == network.Id)
            {
                continue;
            }
            if (other.Driver == "host" || network.Driver == "host")
            {
                throw DaemonException.InvalidParameter(Messages.ConflictSharedNetwork);
            }
            if (other.Name == "none" || network.Name == "none")
            {
                throw DaemonException.InvalidParameter(Messages.ConflictNoNetwork);
            }
        }
    }

    /// <summary>Start order: the network mode's network first (it becomes eth0), then the others by name.</summary>
    public static IReadOnlyList<string> AttachOrder(string mode, IEnumerable<string> names, Func<string, NetworkRecord?> find)
    {
        string first = IsUserDefined(mode) ? find(mode)?.Name ?? mode : mode;
        return [.. names.OrderBy(n => n == first ? 0 : 1).ThenBy(n => n, StringComparer.Ordinal)];
    }

    /// <summary>The lowest ethN not in use (libnetwork numbers interfaces per sandbox from eth0).</summary>
    public static string InterfaceName(IEnumerable<string> used)
    {
        var taken = used.ToHashSet(StringComparer.Ordinal);
        for (int i = 0; ; i++)
        {
            string name = "eth" + i.ToString(System.Globalization.CultureInfo.InvariantCulture);
            if (!taken.Contains(name))
            {
                return name;
            }
        }
    }

    /// <summary>moby buildEndpointDNSNames: name, aliases, short id, hostname, without duplicates; only on user-defined networks.</summary>
    public static IReadOnlyList<string>? DnsNames(string networkName, string containerName, IReadOnlyList<string>? aliases, string containerId, string hostname)
    {
        if (!IsUserDefined(networkName))
        {
            return null;
        }
        var names = new List<string>();
        void Add(string n)
        {
            if (n.Length > 0 && !names.Contains(n, StringComparer.Ordinal))
            {
                names.Add(n);
            }
        }
        Add(containerName.TrimStart('/'));
        foreach (var a in aliases ?? [])
        {
            Add(a);
        }
        Add(containerId.Length > 12 ? containerId[..12] : containerId);
        Add(hostname);
        return names;
    }

    /// <summary>The host end of an endpoint's veth pair: "veth" + 7 hex digits of the endpoint id, as dockerd names them.</summary>
    public static string HostVethName(string endpointId) => "veth" + endpointId[..7];

    /// <summary>What is kept from a client's endpoint config: the request fields only, never operational data.</summary>
    public static EndpointSettings Normalize(EndpointSettings config) => new()
    {
        IPAMConfig = string.IsNullOrEmpty(config.IPAMConfig?.IPv4Address) ? null : config.IPAMConfig,
        Links = config.Links is { Count: > 0 } ? config.Links : null,
        Aliases = config.Aliases is { Count: > 0 } ? config.Aliases : null,
        DesiredMacAddress = string.IsNullOrEmpty(config.DesiredMacAddress) ? null : config.DesiredMacAddress,
        DriverOpts = config.DriverOpts is { Count: > 0 } ? config.DriverOpts : null,
    };
}
