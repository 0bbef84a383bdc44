using Berth.Engine.Errors;
using Berth.Engine.Networks;
using Berth.Networking;
using Berth.Networking.Endpoints;

namespace Berth.UnitTests.Networking;

/// <summary>Create-time validation and the naming rules of container endpoints (dockerd's texts).</summary>
public sealed class EndpointPlannerTests
{
    private static readonly NetworkRecord UserNet = TestNetworks.Bridge("mynet", "10.9.0.0/24", "10.9.0.1");
    private static readonly NetworkRecord PoolNet = TestNetworks.Bridge("poolnet", "10.8.0.0/24", "10.8.0.1", userSubnet: false);
    private static readonly NetworkRecord DefaultBridge = TestNetworks.Bridge("bridge", "10.7.0.0/24", "10.7.0.1", userSubnet: false, predefined: true);

    private static NetworkRecord? Find(string reference) =>
        new[] { UserNet, PoolNet, DefaultBridge }.FirstOrDefault(n => n.Name == reference || n.Id.StartsWith(reference, StringComparison.Ordinal));

    private static ContainerNetworkSettings Configure(string mode, Dictionary<string, EndpointSettings>? endpoints = null, string? mac = null) =>
        EndpointPlanner.Configure(new NetworkConfigRequest(mode, endpoints, mac), Find);

    [Fact]
    public void Configure_AddsTheModeNetwork_KeyedByName()
    {
        Assert.Equal(["bridge"], Configure("bridge").Networks!.Keys);
        Assert.Equal(["bridge"], Configure("default").Networks!.Keys);
        Assert.Equal(["host"], Configure("host").Networks!.Keys);
        Assert.Equal(["none"], Configure("none").Networks!.Keys);
        // A user network named by id prefix is recorded under its name.
        Assert.Equal(["mynet"], Configure(UserNet.Id[..10]).Networks!.Keys);
        // container:x has no networks of its own.
        Assert.Empty(Configure("container:abc").Networks!);
    }

    [Fact]
    public void Configure_KeepsRequestedEndpointsAndAliases()
    {
        var settings = Configure("mynet", new()
        {
            ["mynet"] = new EndpointSettings { Aliases = ["web"], IPAMConfig = new EndpointIpamSettings("10.9.0.50") },
            [PoolNet.Id] = new EndpointSettings(),
        });
        Assert.Equal(["mynet", "poolnet"], settings.Networks!.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(["web"], settings.Networks["mynet"].Aliases);
        Assert.Equal("10.9.0.50", settings.Networks["mynet"].IPAMConfig?.IPv4Address);
        Assert.False(settings.Networks["mynet"].IsActive);
    }

    [Theory]
    [InlineData("bridge", "10.7.0.9", null, Messages.StaticIpOnPredefinedNetwork)]
    [InlineData("bridge", null, "a", Messages.AliasOnPredefinedNetwork)]
    [InlineData("poolnet", "10.8.0.9", null, Messages.StaticIpWithoutUserSubnet)]
    [InlineData("mynet", "10.1.2.3", null, "no configured subnet or ip-range contain the IP address 10.1.2.3")]
    [InlineData("mynet", "10.9.0.300", null, "invalid IPv4 address: 10.9.0.300")]
    public void Configure_RefusesWhatDockerdRefuses(string network, string? ip, string? alias, string reason)
    {
        var endpoint = new EndpointSettings
        {
            IPAMConfig = ip is null ? null : new EndpointIpamSettings(ip),
            Aliases = alias is null ? null : [alias],
        };
        var error = Assert.Throws<DaemonException>(() => Configure(network, new() { [network] = endpoint }));
        Assert.Equal(ErrorKind.InvalidParameter, error.Kind);
        Assert.Equal($"invalid config for network {network}: invalid endpoint settings:\n{reason}", error.Message);
    }

    [Fact]
    public void Configure_JoinsSeveralProblemsOfOneNetwork()
    {
        var endpoint = new EndpointSettings { IPAMConfig = new EndpointIpamSettings("10.7.0.9"), Aliases = ["a"] };
        var error = Assert.Throws<DaemonException>(() => Configure("bridge", new() { ["bridge"] = endpoint }));
        Assert.EndsWith($"\n* {Messages.StaticIpOnPredefinedNetwork}\n* {Messages.AliasOnPredefinedNetwork}", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Configure_LegacyMacGoesToTheModeEndpoint_AndIsChecked()
    {
        Assert.Equal("02:42:0a:09:00:63", Configure("mynet", mac: "02:42:0a:09:00:63").Networks!["mynet"].DesiredMacAddress);
        Assert.Equal("invalid MAC address zz", Assert.Throws<DaemonException>(() => Configure("mynet", mac: "zz")).Message);
    }

    [Fact]
    public void CheckCompatible_HostAndNoneDoNotMix()
    {
        var host = new NetworkRecord { Id = "h", Name = "host", Driver = "host", Created = default, Predefined = true };
        var none = new NetworkRecord { Id = "n", Name = "none", Driver = "null", Created = default, Predefined = true };
        Assert.Equal(Messages.ConnectToHostNetwork,
            Assert.Throws<DaemonException>(() => EndpointPlanner.CheckCompatible("bridge", host, [DefaultBridge])).Message);
        Assert.Equal(Messages.ConflictSharedNetwork,
            Assert.Throws<DaemonException>(() => EndpointPlanner.CheckCompatible("host", UserNet, [host])).Message);
        Assert.Equal(Messages.ConflictNoNetwork,
            Assert.Throws<DaemonException>(() => EndpointPlanner.CheckCompatible("none", UserNet, [none])).Message);
        Assert.Equal(Messages.ConflictSharedNetwork,
            Assert.Throws<DaemonException>(() => EndpointPlanner.CheckCompatible("container:x", UserNet, [])).Message);
        EndpointPlanner.CheckCompatible("bridge", UserNet, [DefaultBridge, UserNet]);
    }

    [Fact]
    public void Names_InterfacesDnsAndVeths()
    {
        Assert.Equal("eth0", EndpointPlanner.InterfaceName([]));
        Assert.Equal("eth1", EndpointPlanner.InterfaceName(["eth0", "eth2"]));
        Assert.Equal("eth0", EndpointPlanner.InterfaceName(["eth1"]));
        Assert.Equal(["mynet", "bridge", "poolnet"], EndpointPlanner.AttachOrder("mynet", ["poolnet", "bridge", "mynet"], Find));
        Assert.Equal(["web", "w", "abcdef012345", "host1"],
            EndpointPlanner.DnsNames("mynet", "/web", ["w", "web"], "abcdef0123456789", "host1"));
        Assert.Null(EndpointPlanner.DnsNames("bridge", "web", null, "abcdef0123456789", "h"));
        Assert.Equal("veth1a2b3c4", EndpointPlanner.HostVethName("1a2b3c4d5e6f"));
    }

    [Fact]
    public void MacAddresses_ParseTheCommonForms()
    {
        Assert.Equal(new byte[] { 2, 0x42, 10, 9, 0, 2 }, MacAddresses.Parse("02:42:0a:09:00:02"));
        Assert.Equal(new byte[] { 2, 0x42, 10, 9, 0, 2 }, MacAddresses.Parse("02-42-0A-09-00-02"));
        Assert.Null(MacAddresses.Parse("02:42:0a:09:00"));
        Assert.Null(MacAddresses.Parse("02:42:0a:09:00:zz"));
        Assert.Equal("02:42:0a:09:00:02", MacAddresses.Format(MacAddresses.FromIPv4(0x0a090002)));
    }
}
