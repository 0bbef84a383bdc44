using System.Text.Json.Serialization;

namespace Berth.Engine.Networks;

/// <summary>IPAMConfig of one endpoint: the static IPv4 address asked for (--ip).</summary>
public sealed record EndpointIpamSettings(string? IPv4Address);

/// <summary>
/// One network of a container (moby network.EndpointSettings), persisted with the container.
/// The config half (IPAMConfig, Aliases, Links, DesiredMacAddress, DriverOpts) is what the client
/// asked for; the operational half (EndpointID … MacAddress, InterfaceName, HostInterface) is
/// filled while the container runs and cleared when it stops, as dockerd does (it releases
/// endpoints on stop and allocates them again on start). NetworkID stays once known.
/// </summary>
public sealed record EndpointSettings
{
    public EndpointIpamSettings? IPAMConfig { get; init; }
    public IReadOnlyList<string>? Links { get; init; }
    public IReadOnlyList<string>? Aliases { get; init; }

    /// <summary>The MAC address the client asked for; null: derived from the IPv4 address.</summary>
    public string? DesiredMacAddress { get; init; }
    public IReadOnlyDictionary<string, string>? DriverOpts { get; init; }

    public string NetworkID { get; init; } = "";
    public string EndpointID { get; init; } = "";
    public string Gateway { get; init; } = "";
    public string IPAddress { get; init; } = "";
    public int IPPrefixLen { get; init; }
    public string MacAddress { get; init; } = "";

    /// <summary>Names the embedded DNS answers for on user-defined networks (API 1.44): name, aliases, short id, hostname.</summary>
    public IReadOnlyList<string>? DNSNames { get; init; }

    /// <summary>Berth: the interface inside the container (eth0, eth1 …) while attached.</summary>
    public string InterfaceName { get; init; } = "";

    /// <summary>Berth: the host end of the veth pair while attached ("" for host/none).</summary>
    public string HostInterface { get; init; } = "";

    /// <summary>True while the endpoint exists (the container runs and is attached).</summary>
    [JsonIgnore]
    public bool IsActive => EndpointID.Length > 0;

    /// <summary>moby cleanOperationalData: what a stopped container keeps.</summary>
    public EndpointSettings WithoutOperationalData() => this with
    {
        EndpointID = "",
        Gateway = "",
        IPAddress = "",
        IPPrefixLen = 0,
        MacAddress = "",
        InterfaceName = "",
        HostInterface = "",
    };
}

/// <summary>A container's NetworkSettings as persisted (ports are added by port publishing).</summary>
public sealed record ContainerNetworkSettings
{
    /// <summary>
    /// By network name. Null means "never configured" (a record from before networking): start
    /// then attaches the network mode's network, as dockerd does for a nil map; an empty map is a
    /// container disconnected from everything and stays so.
    /// </summary>
    public IReadOnlyDictionary<string, EndpointSettings>? Networks { get; init; }

    /// <summary>Set while the container runs with a sandbox (its own or a joined namespace).</summary>
    public string SandboxID { get; init; } = "";

    /// <summary>The network namespace path the container runs in ("" for host, or runtime-created ones).</summary>
    public string SandboxKey { get; init; } = "";

    /// <summary>The endpoint of a network by name, or null.</summary>
    public EndpointSettings? Endpoint(string networkName) =>
        Networks is not null && Networks.TryGetValue(networkName, out var e) ? e : null;
}
