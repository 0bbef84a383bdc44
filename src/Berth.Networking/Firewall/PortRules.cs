using System.Text;

namespace Berth.Networking.Firewall;

/// <summary>One published port as the firewall sees it: host address:port → container address:port on a bridge.</summary>
public sealed record PortRule(string Bridge, string Proto, string HostIp, int HostPort, string ContainerIp, int ContainerPort);

/// <summary>
/// The per-port rules of dockerd's hairpin mode (--userland-proxy=false), which Berth always uses:
/// the kernel forwards published ports, no proxy process sits in between.
/// <list type="bullet">
/// <item>nat &lt;P&gt;: DNAT host port → container (reached from PREROUTING and OUTPUT for local
/// destinations, so remote clients, the host itself and other containers all hit it);</item>
/// <item>filter &lt;P&gt;: accept the forwarded connection into the bridge (matters when FORWARD drops);</item>
/// <item>nat &lt;P&gt;-POSTROUTING: masquerade a container reaching its own published port (hairpin).</item>
/// </list>
/// 127.0.0.1:port from the host needs route_localnet on the bridge and the per-bridge
/// masquerade of 127.0.0.0/8 sources (<see cref="AppendLocalnetMasquerade"/>).
/// </summary>
public static class PortRules
{
    public static void AppendFilter(StringBuilder text, string prefix, IEnumerable<PortRule> ports)
    {
        foreach (var r in ports)
        {
            text.Append($"-A {FirewallRules.Chain(prefix)} -d {r.ContainerIp}/32 ! -i {r.Bridge} -o {r.Bridge} -p {r.Proto} -m {r.Proto} --dport {r.ContainerPort} -j ACCEPT\n");
        }
    }

    public static void AppendDnat(StringBuilder text, string prefix, IEnumerable<PortRule> ports)
    {
        foreach (var r in ports)
        {
            string destination = r.HostIp is "" or "0.0.0.0" ? "" : $"-d {r.HostIp}/32 ";
            text.Append($"-A {FirewallRules.Chain(prefix)} {destination}-p {r.Proto} -m {r.Proto} --dport {r.HostPort} -j DNAT --to-destination {r.ContainerIp}:{r.ContainerPort}\n");
        }
    }

    public static void AppendHairpin(StringBuilder text, string prefix, IEnumerable<PortRule> ports)
    {
        foreach (var r in ports)
        {
            text.Append($"-A {FirewallRules.Postrouting(prefix)} -s {r.ContainerIp}/32 -d {r.ContainerIp}/32 -p {r.Proto} -m {r.Proto} --dport {r.ContainerPort} -j MASQUERADE\n");
        }
    }

    /// <summary>Host connections from 127.0.0.0/8 DNATed into the bridge leave with the gateway's address.</summary>
    public static void AppendLocalnetMasquerade(StringBuilder text, string prefix, string bridge) =>
        text.Append($"-A {FirewallRules.Postrouting(prefix)} -s 127.0.0.0/8 -o {bridge} -j MASQUERADE\n");
}
