using Berth.Networking.Ports;

namespace Berth.UnitTests.Networking.Ports;

/// <summary>libnetwork portallocator behaviour: exact conflicts, round-robin ranges, ephemeral range.</summary>
public sealed class PortAllocatorTests
{
    [Fact]
    public void Exact_SecondRequest_IsAlreadyAllocated_PerAddressAndProtocol()
    {
        var a = new PortAllocator(new EphemeralPortRange(40000, 40009));
        Assert.Equal(18080, a.Request("0.0.0.0", "tcp", 18080, 18080));
        var e = Assert.Throws<PortMappingException>(() => a.Request("0.0.0.0", "tcp", 18080, 18080));
        Assert.Equal("Bind for 0.0.0.0:18080 failed: port is already allocated", e.Message);
        Assert.Equal(18080, a.Request("0.0.0.0", "udp", 18080, 18080));
        Assert.Equal(18080, a.Request("127.0.0.1", "tcp", 18080, 18080));
        a.Release("0.0.0.0", "tcp", 18080);
        Assert.Equal(18080, a.Request("0.0.0.0", "tcp", 18080, 18080));
    }

    [Fact]
    public void Ephemeral_StartsAtTheRangeStart_AndDoesNotReuseAFreedPortAtOnce()
    {
        var a = new PortAllocator(new EphemeralPortRange(32768, 32770));
        Assert.Equal(32768, a.Request("0.0.0.0", "tcp", 0, 0));
        Assert.Equal(32769, a.Request("0.0.0.0", "tcp", 0, 0));
        a.Release("0.0.0.0", "tcp", 32768);
        Assert.Equal(32770, a.Request("0.0.0.0", "tcp", 0, 0));
        Assert.Equal(32768, a.Request("0.0.0.0", "tcp", 0, 0)); // wrapped
        Assert.Equal("all ports are allocated", Assert.Throws<PortMappingException>(() => a.Request("0.0.0.0", "tcp", 0, 0)).Message);
    }

    [Fact]
    public void Range_PicksFreePortsInside_SkippingTakenOnes()
    {
        var a = new PortAllocator(EphemeralPortRange.Fallback);
        a.Request("0.0.0.0", "tcp", 8001, 8001);
        Assert.Equal(8000, a.Request("0.0.0.0", "tcp", 8000, 8002));
        Assert.Equal(8002, a.Request("0.0.0.0", "tcp", 8000, 8002));
        Assert.Throws<PortMappingException>(() => a.Request("0.0.0.0", "tcp", 8000, 8002));
    }

    [Fact]
    public void UnknownProtocol_IsRefused() =>
        Assert.Equal("unknown protocol", Assert.Throws<PortMappingException>(() => new PortAllocator(EphemeralPortRange.Fallback).Request("0.0.0.0", "icmp", 1, 1)).Message);

    [Theory]
    [InlineData("32768\t60999\n", 32768, 60999)]
    [InlineData("1024 65535", 1024, 65535)]
    public void EphemeralRange_ParsesTheKernelFile(string text, int start, int end) =>
        Assert.Equal(new EphemeralPortRange(start, end), EphemeralPortRange.Parse(text));

    [Theory]
    [InlineData("")]
    [InlineData("60999 32768")]
    [InlineData("abc def")]
    public void EphemeralRange_BadText_IsNull(string text) => Assert.Null(EphemeralPortRange.Parse(text));

    [Fact]
    public void EphemeralRange_MissingFile_FallsBackToDockerdsDefault() =>
        Assert.Equal(new EphemeralPortRange(49153, 65535), EphemeralPortRange.Read("/nonexistent/ip_local_port_range"));
}
