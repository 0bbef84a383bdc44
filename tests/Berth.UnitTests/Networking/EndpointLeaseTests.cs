using Berth.Engine.Errors;
using Berth.Engine.Networks;

namespace Berth.UnitTests.Networking;

/// <summary>Endpoint IPAM on a network: lowest free address, static addresses, MACs, the live table.</summary>
public sealed class EndpointLeaseTests
{
    private static readonly NetworkRecord Net = TestNetworks.Bridge("mynet", "10.9.0.0/29", "10.9.0.1",
        range: null, aux: new Dictionary<string, string> { ["printer"] = "10.9.0.3" });

    [Fact]
    public void Lease_TakesLowestFree_SkipsGatewayAndAux_MacFollowsAddress()
    {
        var service = TestNetworks.Service(Net);
        var a = service.Lease(Net.Id, "e1", "c1", "one", null, null);
        var b = service.Lease(Net.Id, "e2", "c2", "two", null, null);
        Assert.Equal(0x0a090002u, a.Address);
        Assert.Equal(0x0a090004u, b.Address);
        Assert.Equal(29, a.PrefixLength);
        Assert.Equal(0x0a090001u, a.Gateway);
        Assert.Equal(new byte[] { 2, 0x42, 10, 9, 0, 2 }, a.Mac);

        var shown = service.Endpoints(Net.Id).Single(e => e.EndpointId == "e1");
        Assert.Equal(new NetworkEndpoint("c1", "one", "e1", "02:42:0a:09:00:02", "10.9.0.2/29", ""), shown);

        // Released addresses are handed out again (lowest first, as libnetwork's default IPAM).
        service.Unlease(Net.Id, "e1");
        Assert.Equal(0x0a090002u, service.Lease(Net.Id, "e3", "c3", "three", null, null).Address);
    }

    [Fact]
    public void Lease_StaticAddress_ConflictsAndBounds()
    {
        var service = TestNetworks.Service(Net);
        Assert.Equal(0x0a090005u, service.Lease(Net.Id, "e1", "c1", "one", "10.9.0.5", "02:00:00:00:00:01").Address);
        Assert.Equal(new byte[] { 2, 0, 0, 0, 0, 1 }, service.Endpoints(Net.Id)[0].MacAddress.Split(':').Select(h => Convert.ToByte(h, 16)).ToArray());

        var taken = Assert.Throws<DaemonException>(() => service.Lease(Net.Id, "e2", "c2", "two", "10.9.0.5", null));
        Assert.Equal((ErrorKind.Forbidden, Messages.AddressInUse), (taken.Kind, taken.Message));
        Assert.Equal(Messages.AddressInUse, Assert.Throws<DaemonException>(() => service.Lease(Net.Id, "e2", "c2", "two", "10.9.0.1", null)).Message);
        Assert.Equal(Messages.AddressNotInSubnet("10.9.1.5"),
            Assert.Throws<DaemonException>(() => service.Lease(Net.Id, "e2", "c2", "two", "10.9.1.5", null)).Message);
    }

    [Fact]
    public void Lease_OneEndpointPerContainerName_AndPoolExhaustion()
    {
        var service = TestNetworks.Service(Net);
        service.Lease(Net.Id, "e1", "c1", "one", null, null);
        var duplicate = Assert.Throws<DaemonException>(() => service.Lease(Net.Id, "e2", "c1", "one", null, null));
        Assert.Equal((ErrorKind.Forbidden, "endpoint with name one already exists in network mynet"), (duplicate.Kind, duplicate.Message));
        // .2 taken, .3 aux, .4 .5 .6 free, .7 broadcast.
        foreach (int i in Enumerable.Range(0, 3))
        {
            service.Lease(Net.Id, $"x{i}", $"cx{i}", $"x{i}", null, null);
        }
        Assert.Equal(ErrorKind.Unavailable, Assert.Throws<DaemonException>(() => service.Lease(Net.Id, "y", "cy", "y", null, null)).Kind);
    }

    [Fact]
    public void NetworkWithLiveEndpoint_CannotBeRemoved_UntilReleased()
    {
        var service = TestNetworks.Service(Net);
        Assert.True(service.RestoreLease(Net.Id, new NetworkEndpoint("c1", "one", "e1", "02:42:0a:09:00:02", "10.9.0.2/29", ""), "10.9.0.2"));
        Assert.Equal(0x0a090004u, service.Lease(Net.Id, "e2", "c2", "two", null, null).Address);
        Assert.False(service.RestoreLease("nope", new NetworkEndpoint("c", "n", "e", "", "", ""), ""));
        Assert.Equal(2, service.Endpoints(Net.Id).Count);
        Assert.Equal(Net.Id, service.TryFind("mynet")?.Id);
        Assert.Null(service.TryFind("other"));

        var inUse = Assert.Throws<DaemonException>(() => service.Remove("mynet"));
        Assert.Equal((ErrorKind.Forbidden, Messages.NetworkHasEndpoints("mynet", Net.Id)), (inUse.Kind, inUse.Message));
        service.Unlease(Net.Id, "e1");
        service.Unlease(Net.Id, "e2");
        service.Remove("mynet");
        Assert.Null(service.TryFind("mynet"));
    }
}
