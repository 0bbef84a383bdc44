using Berth.Engine.Configuration;
using Berth.Engine.Errors;
using Berth.Engine.Networks;
using Berth.Networking.Ipam;

namespace Berth.UnitTests.Networking;

public sealed class IpamTests
{
    private static readonly AddressPool[] Pools = [new("10.10.0.0/16", 24), new("10.20.0.0/16", 24)];

    private static Ipv4Prefix P(string text) => Ipv4Prefix.Parse(text);

    [Fact]
    public void Allocate_FirstFit_SkipsNetworksAndHostRoutes()
    {
        Assert.Equal(P("10.10.0.0/24"), SubnetAllocator.Allocate(Pools, []));
        Assert.Equal(P("10.10.2.0/24"), SubnetAllocator.Allocate(Pools, [P("10.10.0.0/24"), P("10.10.1.0/25")]));
        // A host route covering the whole first pool sends allocation to the second.
        Assert.Equal(P("10.20.0.0/24"), SubnetAllocator.Allocate(Pools, [P("10.10.0.0/16")]));
        // A big route in the middle is jumped over, not walked step by step.
        Assert.Equal(P("10.10.128.0/24"), SubnetAllocator.Allocate([new("10.10.0.0/16", 24)], [P("10.10.0.0/17")]));
    }

    [Fact]
    public void Allocate_Exhausted_IsDockerdsText()
    {
        var error = Assert.Throws<DaemonException>(() => SubnetAllocator.Allocate([new("10.1.0.0/24", 25)], [P("10.1.0.0/24")]));
        Assert.Equal(Messages.NoAvailablePool, error.Message);
    }

    [Fact]
    public void Plan_DefaultPool_GatewayIsFirstHost()
    {
        var plan = IpamPlanner.Plan([], Pools, [P("10.10.0.0/24")], []);
        Assert.Equal(new IpamPoolConfig("10.10.1.0/24", null, "10.10.1.1", null), plan.Pool);
        Assert.Equal("gateway", plan.Reserved["10.10.1.1"]);
    }

    [Fact]
    public void Plan_UserSubnet_WithRangeGatewayAndAux()
    {
        var aux = new Dictionary<string, string> { ["host1"] = "192.168.5.10" };
        var plan = IpamPlanner.Plan([new("192.168.5.0/24", "192.168.5.128/25", "192.168.5.254", aux)], Pools, [], []);
        Assert.Equal("192.168.5.254", plan.Pool.Gateway);
        Assert.Equal("192.168.5.128/25", plan.Pool.IPRange);
        Assert.Equal("aux:host1", plan.Reserved["192.168.5.10"]);
    }

    [Fact]
    public void Plan_UserSubnetOverlappingNetwork_IsForbidden()
    {
        var error = Assert.Throws<DaemonException>(() => IpamPlanner.Plan([new("10.10.0.128/25", null, null, null)], Pools, [P("10.10.0.0/24")], []));
        Assert.Equal(ErrorKind.Forbidden, error.Kind);
        Assert.Equal(Messages.PoolOverlaps, error.Message);
    }

    [Theory]
    [InlineData("10.1.2.0", null, null, "invalid network config:\ninvalid subnet 10.1.2.0: invalid CIDR block notation")]
    [InlineData("10.1.2.3/24", null, null, "invalid network config:\ninvalid subnet 10.1.2.3/24: it should be 10.1.2.0/24")]
    [InlineData("10.1.2.0/24", null, "10.1.3.1", "invalid network config:\ninvalid gateway 10.1.3.1: parent subnet 10.1.2.0/24 doesn't contain this address")]
    [InlineData("10.1.2.0/24", null, "nope", "invalid network config:\ninvalid gateway nope: invalid address")]
    [InlineData("10.1.2.0/24", "10.1.0.0/16", null, "invalid network config:\ninvalid ip-range 10.1.0.0/16: CIDR block is bigger than its parent subnet 10.1.2.0/24")]
    [InlineData("10.1.2.0/24", "10.1.3.0/25", null, "invalid network config:\ninvalid ip-range 10.1.3.0/25: parent subnet 10.1.2.0/24 doesn't contain ip-range")]
    [InlineData("10.1.2.0/24", "10.1.2.1/25", "fd00::1", "invalid network config:\n* invalid ip-range 10.1.2.1/25: it should be 10.1.2.0/25\n* invalid gateway fd00::1: parent subnet is an IPv4 block")]
    public void Validate_UsesDockerdMessages(string subnet, string? range, string? gateway, string expected)
    {
        var error = Assert.Throws<DaemonException>(() => IpamPlanner.Validate([new(subnet, range, gateway, null)]));
        Assert.Equal(ErrorKind.InvalidParameter, error.Kind);
        Assert.Equal(expected, error.Message);
    }

    [Fact]
    public void Validate_AuxOutsideSubnet()
    {
        var error = Assert.Throws<DaemonException>(() => IpamPlanner.Validate([new("10.1.2.0/24", null, null, new Dictionary<string, string> { ["a"] = "10.9.9.9" })]));
        Assert.Equal("invalid network config:\ninvalid auxiliary address a: parent subnet 10.1.2.0/24 doesn't contain this address", error.Message);
    }

    [Fact]
    public void AddressAllocator_LowestFree_SkipsNetworkBroadcastAndTaken()
    {
        var pool = new IpamPoolConfig("10.1.2.0/30", null, "10.1.2.1", null);
        uint gw = P("10.1.2.1/32").Address;
        Assert.Equal(P("10.1.2.2/32").Address, AddressAllocator.Next(pool, new HashSet<uint> { gw }));
        Assert.Null(AddressAllocator.Next(pool, new HashSet<uint> { gw, gw + 1 })); // .3 is broadcast
        var ranged = new IpamPoolConfig("10.1.2.0/24", "10.1.2.128/25", "10.1.2.1", null);
        Assert.Equal(P("10.1.2.128/32").Address, AddressAllocator.Next(ranged, new HashSet<uint> { gw }));
        Assert.Equal(ErrorKind.Conflict, Assert.Throws<DaemonException>(() => AddressAllocator.Validate(ranged, "10.1.2.1", new HashSet<uint> { gw })).Kind);
    }

    [Theory]
    [InlineData("10.0.0.0/8", true)]
    [InlineData("10.0.0.1/33", false)]
    [InlineData("10.0.0/8", false)]
    [InlineData("010.0.0.0/8", false)]
    [InlineData("256.0.0.0/8", false)]
    [InlineData("10.0.0.0/", false)]
    public void Ipv4Prefix_Parse(string text, bool ok) => Assert.Equal(ok, Ipv4Prefix.TryParse(text, out _));

    [Fact]
    public void MacAddress_Is0242PlusIpv4()
    {
        Assert.Equal("02:42:0a:01:02:03", Berth.Networking.MacAddresses.Format(Berth.Networking.MacAddresses.FromIPv4(P("10.1.2.3/32").Address)));
    }
}
