using Berth.Engine.Containers;

namespace Berth.Engine.Networks;

/// <summary>What create asks networking to validate and turn into a container's initial NetworkSettings.</summary>
/// <param name="NetworkMode">HostConfig.NetworkMode, normalised ("bridge", "host", "none", "container:x", a network name or id).</param>
/// <param name="EndpointsConfig">NetworkingConfig.EndpointsConfig by the name or id the client used.</param>
/// <param name="LegacyMacAddress">Config.MacAddress (API &lt; 1.44 puts the MAC there).</param>
public sealed record NetworkConfigRequest(
    string NetworkMode,
    IReadOnlyDictionary<string, EndpointSettings>? EndpointsConfig,
    string? LegacyMacAddress = null);

/// <summary>
/// A container's sandbox while it starts: the settings to record (addresses, endpoint ids,
/// SandboxKey = the namespace the runtime must join) and <see cref="Ready"/>, which completes once
/// interfaces, addresses and routes are in place. The runtime's create may run meanwhile; the
/// container's process must not start before Ready.
/// </summary>
public sealed record NetworkAttachment(ContainerNetworkSettings Settings, Task Ready);

/// <summary>
/// The container service's view of networking (implemented by Berth.Networking's
/// ContainerNetworking). The caller holds the container's gate for every call, so calls for one
/// container never overlap; records passed in are the current snapshot.
/// </summary>
public interface IContainerNetworking
{
    /// <summary>Create: validates the network mode and endpoint configs (dockerd's texts, 400) and returns the initial settings.</summary>
    ContainerNetworkSettings Configure(NetworkConfigRequest request);

    /// <summary>
    /// Start: finds the networks (404 when one is gone), allocates addresses, creates and pins the
    /// network namespace, and begins configuring it. <paramref name="peerNamespace"/> is the
    /// namespace of the container named by "container:x" (the caller checked it runs).
    /// On failure everything it created is released before it throws.
    /// </summary>
    Task<NetworkAttachment> AttachAsync(ContainerRecord record, string? peerNamespace, CancellationToken cancellationToken = default);

    /// <summary>
    /// Stop, failed start, remove: removes the endpoints (veths, addresses, routes go with them),
    /// unpins the namespace, frees the addresses and publishes network disconnect events. Idempotent;
    /// problems are logged, never thrown.
    /// </summary>
    Task ReleaseAsync(ContainerRecord record);

    /// <summary>The settings a stopped container keeps (operational data cleared).</summary>
    ContainerNetworkSettings Released(ContainerNetworkSettings settings);

    /// <summary>POST /networks/{id}/connect on a running container: the endpoint exists when this returns.</summary>
    Task<ContainerNetworkSettings> ConnectAsync(ContainerRecord record, string network, EndpointSettings config, CancellationToken cancellationToken = default);

    /// <summary>Connect on a container that is not running: validated and recorded for its next start.</summary>
    ContainerNetworkSettings ConnectStopped(ContainerRecord record, string network, EndpointSettings config);

    /// <summary>Disconnect from a running container: the interface is gone when this returns.</summary>
    Task<ContainerNetworkSettings> DisconnectAsync(ContainerRecord record, string network, bool force, CancellationToken cancellationToken = default);

    /// <summary>Disconnect a container that is not running: only its recorded settings change.</summary>
    ContainerNetworkSettings DisconnectStopped(ContainerRecord record, string network, bool force);

    /// <summary>Daemon start-up: a container found running again keeps its endpoints; they are registered as live.</summary>
    Task RestoreAsync(ContainerRecord record);
}

/// <summary>
/// The container side of POST /networks/{id}/connect and /disconnect: the network routes find
/// the container through this (it takes the container's gate and records the result).
/// </summary>
public interface INetworkAttacher
{
    Task ConnectAsync(string container, string network, EndpointSettings config, CancellationToken cancellationToken = default);

    Task DisconnectAsync(string container, string network, bool force, CancellationToken cancellationToken = default);
}
