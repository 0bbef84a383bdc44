using Berth.Engine.Networks;

namespace Berth.Networking.Ports;

/// <summary>dockerd's ordering and wording of port bindings (libnetwork bridge cmpPortBinding, types.PortBinding.String).</summary>
public static class PortOrder
{
    /// <summary>
    /// Exact host ports first (so a range never takes a port an exact binding wants), then by
    /// container port, protocol number (tcp &lt; udp &lt; sctp), host port range, host address.
    /// </summary>
    public static IReadOnlyList<PortRequest> Sort(IEnumerable<PortRequest> requests) =>
        [.. requests.OrderBy(r => r.IsExact ? 0 : 1)
            .ThenBy(r => r.Container.Port)
            .ThenBy(r => ProtocolNumber(r.Container.Proto))
            .ThenBy(r => r.HostPortStart)
            .ThenBy(r => r.HostPortEnd)
            .ThenBy(r => r.HostIp, StringComparer.Ordinal)];

    public static int ProtocolNumber(string proto) => proto switch
    {
        "tcp" => 6,
        "udp" => 17,
        "sctp" => 132,
        _ => 0,
    };

    /// <summary>"0.0.0.0:8080:172.18.0.2:80/tcp", "0.0.0.0:8000-8010:…", "0.0.0.0::172.18.0.2:80/tcp" for any port (Go prints it so).</summary>
    public static string Describe(string hostIp, PortRequest request, string containerIp)
    {
        string hostPort = request.HostPortStart == 0 ? ""
            : request.HostPortEnd != 0 && request.HostPortEnd != request.HostPortStart ? $"{request.HostPortStart}-{request.HostPortEnd}"
            : $"{request.HostPortStart}";
        return $"{hostIp}:{hostPort}:{containerIp}:{request.Container.Port}/{request.Container.Proto}";
    }
}
