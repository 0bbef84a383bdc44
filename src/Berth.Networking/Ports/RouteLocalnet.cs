namespace Berth.Networking.Ports;

/// <summary>
/// Kernel switches hairpin port publishing needs, set as dockerd sets them with the userland
/// proxy off: route_localnet on each bridge (a 127.0.0.1 source may leave through it, to be
/// masqueraded) and bridge-nf-call-iptables (container→host-port→container on one bridge is
/// bridged, and only then does conntrack undo the DNAT on the reply).
/// </summary>
public static class RouteLocalnet
{
    public const string BridgeNetfilter = "/proc/sys/net/bridge/bridge-nf-call-iptables";

    public static string PathFor(string bridge) => $"/proc/sys/net/ipv4/conf/{bridge}/route_localnet";

    /// <summary>Returns true when it had to switch the bridge's route_localnet on.</summary>
    public static bool Enable(string bridge) => EnsureOne(PathFor(bridge));

    /// <summary>Returns true when it had to switch bridge-nf-call-iptables on (absent without br_netfilter: nothing done).</summary>
    public static bool EnableBridgeNetfilter(string path = BridgeNetfilter) => EnsureOne(path);

    private static bool EnsureOne(string path)
    {
        if (!File.Exists(path) || File.ReadAllText(path).Trim() == "1")
        {
            return false;
        }
        File.WriteAllText(path, "1\n");
        return true;
    }
}
