namespace Berth.Engine.Errors;

/// <summary>Texts of port publishing, in dockerd 28's wording (daemon/container.go, libnetwork portallocator and bridge driver).</summary>
public static partial class Messages
{
    /// <summary>validatePortBindings: a bad container port key or host port value.</summary>
    public static string InvalidPortSpecification(string value) => $"invalid port specification: {GoQuote(value)}";

    /// <summary>runconfig ErrConflictNetworkPublishPorts.</summary>
    public const string ConflictNetworkPublishPorts = "conflicting options: port publishing and the container type network mode";

    /// <summary>runconfig ErrConflictNetworkExposePorts.</summary>
    public const string ConflictNetworkExposePorts = "conflicting options: port exposing and the container type network mode";

    /// <summary>Create warning for --network host with -p (daemon_unix.go verifyPlatformContainerSettings).</summary>
    public const string PublishedPortsDiscardedHostMode = "Published ports are discarded when using host network mode";

    /// <summary>portallocator ErrPortAlreadyAllocated: the port is held by another container of this daemon.</summary>
    public static string PortAlreadyAllocated(string hostIp, int port) => $"Bind for {hostIp}:{port} failed: port is already allocated";

    /// <summary>portallocator ErrAllPortsAllocated.</summary>
    public const string AllPortsAllocated = "all ports are allocated";

    /// <summary>bridge bindTCPOrUDP: another process holds the port (Go's errno text for EADDRINUSE and friends).</summary>
    public static string BindHostPortFailed(string binding, string reason) => $"failed to bind host port for {binding}: {reason}";

    /// <summary>The same, for a port picked from a range.</summary>
    public static string BindHostPortInRangeFailed(int port, string binding, string reason) => $"failed to bind host port {port} for {binding}: {reason}";

    /// <summary>libnetwork endpoint.go: every port-publishing failure is wrapped in this.</summary>
    public static string ExternalConnectivityFailed(string endpointName, string endpointId, string reason) =>
        $"driver failed programming external connectivity on endpoint {endpointName} ({endpointId}): {reason}";
}
