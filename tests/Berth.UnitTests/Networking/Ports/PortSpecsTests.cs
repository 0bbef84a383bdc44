using Berth.Api.Models;
using Berth.Engine.Containers;
using Berth.Engine.Errors;
using Berth.Engine.Networks;

namespace Berth.UnitTests.Networking.Ports;

/// <summary>dockerd 28's validatePortBindings and buildSandboxOptions, as data.</summary>
public sealed class PortSpecsTests
{
    private static HostSettings Host(params (string Key, string HostIp, string HostPort)[] bindings) => new()
    {
        PortBindings = bindings.GroupBy(b => b.Key).ToDictionary(g => g.Key,
            g => (IReadOnlyList<PortBindingSettings>)[.. g.Select(b => new PortBindingSettings(b.HostIp, b.HostPort))]),
    };

    private static ContainerSettings Exposing(params string[] ports) => new() { ExposedPorts = ports };

    [Theory]
    [InlineData("80/tcp", 80, "tcp")]
    [InlineData("53/udp", 53, "udp")]
    [InlineData("8080", 8080, "tcp")]
    [InlineData("443/", 443, "tcp")]
    [InlineData("0/tcp", 0, "tcp")]
    public void PortKey_ParsesLikeNatNewPort(string raw, int port, string proto)
    {
        Assert.True(PortKey.TryParse(raw, out var key));
        Assert.Equal(new PortKey(port, proto), key);
    }

    [Theory]
    [InlineData("")]
    [InlineData("/tcp")]
    [InlineData("80-90/tcp")]
    [InlineData("65536/tcp")]
    [InlineData("+80/tcp")]
    [InlineData("http/tcp")]
    public void PortKey_RejectsWhatNatRejects(string raw) => Assert.False(PortKey.TryParse(raw, out _));

    [Theory]
    [InlineData("", 0, 0)]
    [InlineData("8080", 8080, 8080)]
    [InlineData("8000-8010", 8000, 8010)]
    [InlineData("8000-8010-9000", 8000, 8010)] // Go looks at the first two fields only
    [InlineData("0", 0, 0)]
    public void Range_Parses(string text, int start, int end)
    {
        Assert.True(PortSpecs.TryParseRange(text, out int s, out int e));
        Assert.Equal((start, end), (s, e));
    }

    [Theory]
    [InlineData("8010-8000")]
    [InlineData("abc")]
    [InlineData("70000")]
    [InlineData("-80")]
    [InlineData("80-")]
    public void Range_Rejects(string text) => Assert.False(PortSpecs.TryParseRange(text, out _, out _));

    [Theory]
    [InlineData("80x/tcp", "1.2.3.4", "80", "invalid port specification: \"80x\"")]
    [InlineData("80/tcp", "", "80000", "invalid port specification: \"80000\"")]
    [InlineData("80/tcp", "", "9-1", "invalid port specification: \"9-1\"")]
    [InlineData("80/tcp", "", "a\"b", "invalid port specification: \"a\\\"b\"")]
    public void Validate_BadSpecs_AreInvalidParameterWithDockerdText(string key, string hostIp, string hostPort, string message)
    {
        var e = Assert.Throws<DaemonException>(() => PortSpecs.Validate(Exposing(key), Host((key, hostIp, hostPort))));
        Assert.Equal(ErrorKind.InvalidParameter, e.Kind);
        Assert.Equal(message, e.Message);
    }

    [Fact]
    public void Validate_GoodSpecs_PassAndHostModeWarns()
    {
        Assert.Empty(PortSpecs.Validate(Exposing("80/tcp"), Host(("80/tcp", "", ""), ("80/tcp", "127.0.0.1", "8000-8010"), ("53/udp", "", "53/udp"))));
        var warnings = PortSpecs.Validate(Exposing("80/tcp"), Host(("80/tcp", "", "80")) with { NetworkMode = "host" });
        Assert.Equal([Messages.PublishedPortsDiscardedHostMode], warnings);
    }

    [Fact]
    public void Validate_ContainerMode_RefusesPublishingAndExposing()
    {
        var publish = Assert.Throws<DaemonException>(() => PortSpecs.Validate(new ContainerSettings(), new HostSettings { NetworkMode = "container:x", PublishAllPorts = true }));
        Assert.Equal(Messages.ConflictNetworkPublishPorts, publish.Message);
        var expose = Assert.Throws<DaemonException>(() => PortSpecs.Validate(Exposing("80/tcp"), new HostSettings { NetworkMode = "container:x" }));
        Assert.Equal(Messages.ConflictNetworkExposePorts, expose.Message);
    }

    [Fact]
    public void Requests_OnlyExposedPorts_PublishAllFillsTheRest()
    {
        var config = Exposing("80/tcp", "53/udp", "443/tcp");
        var host = Host(("80/tcp", "127.0.0.1", "8080"), ("80/tcp", "", "9000-9010"), ("81/tcp", "", "81")) with { PublishAllPorts = true };
        var requests = PortSpecs.Requests(config, host);
        Assert.Equal(
        [
            new PortRequest(new PortKey(53, "udp"), "", 0, 0),
            new PortRequest(new PortKey(80, "tcp"), "127.0.0.1", 8080, 8080),
            new PortRequest(new PortKey(80, "tcp"), "", 9000, 9010),
            new PortRequest(new PortKey(443, "tcp"), "", 0, 0),
        ], requests);
    }

    [Theory]
    [InlineData("127.0.0.1", "127.0.0.1")]
    [InlineData("0.0.0.0", "0.0.0.0")]
    [InlineData("::", "::")]
    [InlineData("::ffff:10.0.0.1", "10.0.0.1")]
    [InlineData("127.1", "")]
    [InlineData("localhost", "")]
    [InlineData("", "")]
    public void HostIp_FollowsNetParseIp(string given, string expected) => Assert.Equal(expected, PortSpecs.NormalizeHostIp(given));

    [Fact]
    public void Views_PortMapAndSummaryRows()
    {
        PortKey[] exposed = [new(80, "tcp"), new(53, "udp")];
        PublishedPort[] published = [new("tcp", 80, "0.0.0.0", 32768), new("tcp", 80, "127.0.0.1", 8080)];
        var map = PortViews.PortMap(exposed, published);
        Assert.Equal(["53/udp", "80/tcp"], map.Keys);
        Assert.Null(map["53/udp"]);
        Assert.Equal(2, map["80/tcp"]!.Count);
        var rows = PortWireMapping.Rows(map.ToDictionary(p => p.Key, p => p.Value));
        Assert.Equal([new PortWire(null, 53, null, "udp"), new PortWire("0.0.0.0", 80, 32768, "tcp"), new PortWire("127.0.0.1", 80, 8080, "tcp")], rows);
        var wire = PortWireMapping.Map(map);
        Assert.Null(wire["53/udp"]);
        Assert.Equal([new PortBindingWire("0.0.0.0", "32768"), new PortBindingWire("127.0.0.1", "8080")], wire["80/tcp"]);
    }
}
