using Berth.Engine.Containers;

namespace Berth.Engine.Networks;

/// <summary>
/// One endpoint of a running container, as observers see it.
/// <see cref="Endpoint"/> carries the address (IPAddress/IPPrefixLen), Gateway, MacAddress,
/// InterfaceName (eth0…), HostInterface (the host veth), Aliases and DNSNames;
/// <see cref="Container"/> carries what port publishing needs (HostConfig.PortBindings,
/// HostConfig.PublishAllPorts, Config.ExposedPorts) and the name; <see cref="SandboxKey"/> is the
/// container's network namespace (enter it with Berth.Linux.Netns.NetworkNamespaces.RunInAsync).
/// </summary>
/// <param name="NetworkName">The key of the endpoint in the container's NetworkSettings.Networks.</param>
public sealed record EndpointEvent(ContainerRecord Container, NetworkRecord Network, string NetworkName, EndpointSettings Endpoint, string SandboxKey);

/// <summary>
/// Hook for features that follow a container's endpoints (port publishing, the embedded DNS
/// server). Register with ContainerNetworking.AddObserver. Calls for one container never
/// overlap (they run under the container's gate); calls for different containers may.
/// </summary>
public interface IEndpointObserver
{
    /// <summary>
    /// The endpoint is configured inside the container's namespace: on start before the
    /// container's process runs, on connect before the request answers, and at daemon start-up
    /// for containers that kept running (<paramref name="restored"/>). Throwing fails the start or
    /// connect (a DaemonException's kind and text reach the client); the endpoint is then removed
    /// again and <see cref="EndpointRemovedAsync"/> is called for it.
    /// </summary>
    Task EndpointCreatedAsync(EndpointEvent endpoint, bool restored, CancellationToken cancellationToken = default);

    /// <summary>
    /// The endpoint is about to go (stop, disconnect, failed start, remove); its interface still
    /// exists. Must not throw: failures are the observer's to log.
    /// </summary>
    Task EndpointRemovedAsync(EndpointEvent endpoint);
}
