namespace Berth.Engine.Errors;

/// <summary>Texts of container networking, in dockerd's wording (runconfig/errors.go, daemon/container_operations.go, libnetwork).</summary>
public static partial class Messages
{
    public const string StaticIpOnPredefinedNetwork = "user specified IP address is supported on user defined networks only";

    public const string StaticIpWithoutUserSubnet = "user specified IP address is supported only when connecting to networks with user configured subnets";

    public const string AliasOnPredefinedNetwork = "network-scoped alias is supported only for containers in user defined networks";

    public const string ConflictSharedNetwork = "container sharing network namespace with another container or host cannot be connected to any other network";

    public const string ConflictNoNetwork = "container cannot be connected to multiple networks with one of the networks in private (none) mode";

    public const string ConnectToHostNetwork = "cannot connect container to host network - container must be created in host network mode";

    public const string DisconnectFromHostNetwork = "cannot disconnect container from host network - container was created in host network mode";

    public const string JoinOwnNetworkNamespace = "cannot join own network namespace";

    /// <summary>libnetwork ipam ErrIPAlreadyAllocated.</summary>
    public const string AddressInUse = "Address already in use";

    /// <summary>libnetwork ipam ErrNoAvailableIPs.</summary>
    public const string NoAvailableAddresses = "No available addresses on this pool";

    public static string InvalidEndpointSettings(string network, IReadOnlyList<string> errors) =>
        $"invalid config for network {network}: invalid endpoint settings:\n" +
        (errors.Count == 1 ? errors[0] : "* " + string.Join("\n* ", errors));

    public static string InvalidIPv4Address(string address) => $"invalid IPv4 address: {address}";

    public static string InvalidMacAddress(string mac) => $"invalid MAC address {mac}";

    public static string AddressNotInSubnet(string address) => $"no configured subnet or ip-range contain the IP address {address}";

    public static string EndpointExists(string container, string network) => $"endpoint with name {container} already exists in network {network}";

    public static string NotConnectedRunning(string containerId, string network) => $"container {containerId} is not connected to network {network}";

    public static string NotConnectedStopped(string containerId, string network) => $"container {containerId} is not connected to the network {network}";

    public static string ContainerMarkedForRemoval(string containerId) =>
        $"Container {containerId} is marked for removal and cannot be connected or disconnected to the network";

    public static string JoinNonRunningContainer(string name, string state) =>
        $"cannot join network namespace of a non running container: container {name} is {state}";

    public static string JoinNamespaceFailed(string reason) => $"joining network namespace of container: {reason}";

    public static string NetworkSetupFailed(string reason) => $"failed to set up container networking: {reason}";
}
