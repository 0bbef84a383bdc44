using Berth.Daemon.Configuration;
using Berth.Engine.Configuration;

namespace Berth.UnitTests.Daemon.Configuration;

/// <summary>The default bridge's settings: --bip, --fixed-cidr, --mtu, --icc, --ip-masq (flags and daemon.json).</summary>
public sealed class BridgeConfigTests : IDisposable
{
    private readonly ConfigTestDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private ConfigLoadResult Load(string json, params string[] args) => _dir.Load(json, args);

    [Fact]
    public void Defaults_AreDockerds()
    {
        DaemonConfig c = Load("").Config!;
        Assert.Null(c.Bip);
        Assert.Null(c.FixedCidr);
        Assert.Equal(1500, c.Mtu);
        Assert.True(c.Icc);
        Assert.True(c.IpMasq);
    }

    [Fact]
    public void FlagsAndFile_AreRead()
    {
        DaemonConfig flags = Load("", "--bip", "192.168.5.1/24", "--fixed-cidr", "192.168.5.128/25", "--mtu", "1400", "--icc=false", "--ip-masq=false").Config!;
        Assert.Equal(("192.168.5.1/24", "192.168.5.128/25", 1400, false, false), (flags.Bip, flags.FixedCidr, flags.Mtu, flags.Icc, flags.IpMasq));
        DaemonConfig file = Load("""{"bip": "10.9.0.1/16", "mtu": 9000, "icc": false}""").Config!;
        Assert.Equal(("10.9.0.1/16", 9000, false, true), (file.Bip, file.Mtu, file.Icc, file.IpMasq));
    }

    [Theory]
    [InlineData("""{"bip": "10.9.0.1"}""", "invalid bip \"10.9.0.1\": an IPv4 address with a prefix length is required (e.g. 172.17.0.1/16)")]
    [InlineData("""{"bip": "10.9.0.1/16", "fixed-cidr": "10.10.0.0/24"}""", "fixed-cidr 10.10.0.0/24 is not inside the bridge subnet 10.9.0.0/16 (--bip)")]
    [InlineData("""{"fixed-cidr": "nope"}""", "invalid fixed-cidr \"nope\": an IPv4 CIDR is required")]
    [InlineData("""{"mtu": 20}""", "invalid MTU 20: it must be between 68 and 65535")]
    public void BadValues_AreRefused(string json, string expected) =>
        Assert.Equal(expected, Load(json).Error);

    [Fact]
    public void MtuMustBeANumberInTheFile() =>
        Assert.EndsWith("invalid value for \"mtu\": expected an integer, got string", Load("""{"mtu": "1400"}""").Error, StringComparison.Ordinal);
}
