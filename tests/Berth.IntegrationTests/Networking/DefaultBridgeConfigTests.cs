using System.Text.Json;
using Berth.IntegrationTests.Containers;
using Berth.IntegrationTests.Harness;

namespace Berth.IntegrationTests.Networking;

/// <summary>bip, fixed-cidr, mtu and icc=false (daemon.json) shape the default bridge and its containers.</summary>
public sealed class DefaultBridgeConfigTests
{
    private readonly ITestOutputHelper _output;

    public DefaultBridgeConfigTests(ITestOutputHelper output)
    {
        _output = output;
    }

    [Fact]
    public async Task BipFixedCidrMtuIcc_ApplyToTheDefaultBridge()
    {
        // DaemonJson = null: the harness would overwrite the file written below (the pool is known only now).
        await using var daemon = BerthDaemon.Create(new BerthDaemonOptions { DaemonJson = null }, _output);
        string stem = daemon.AddressPool[..(daemon.AddressPool.LastIndexOf('.') + 1)];
        daemon.WriteDaemonJson($$"""{"bip": "{{stem}}65/26", "fixed-cidr": "{{stem}}96/27", "mtu": 1400, "icc": false}""");
        await daemon.StartAsync();
        using var docker = daemon.Cli(_output);
        try
        {
            await ContainerTestSupport.EnsureBusyboxAsync(docker);
            using (var doc = JsonDocument.Parse(await docker.RunOkAsync("network", "inspect", "bridge")))
            {
                var bridge = doc.RootElement[0];
                var ipam = bridge.GetProperty("IPAM").GetProperty("Config")[0];
                Assert.Equal($"{stem}64/26", ipam.GetProperty("Subnet").GetString());
                Assert.Equal($"{stem}96/27", ipam.GetProperty("IPRange").GetString());
                Assert.Equal($"{stem}65", ipam.GetProperty("Gateway").GetString());
                Assert.Equal("1400", bridge.GetProperty("Options").GetProperty("com.docker.network.driver.mtu").GetString());
                Assert.Equal("false", bridge.GetProperty("Options").GetProperty("com.docker.network.bridge.enable_icc").GetString());
            }
            await Poll.UntilAsync(async () => (await HostNet.Ipv4AddressesAsync(daemon.BridgeName))?.SequenceEqual([$"{stem}65/26"]) == true,
                TimeSpan.FromSeconds(10), "the default bridge carries the --bip address");

            // Addresses come from the fixed range; the interface has the bridge's MTU.
            await docker.RunOkAsync("run", "-d", "--name", "first", "busybox", "sleep", "300");
            string output = await docker.RunOkAsync("run", "--rm", "busybox", "sh", "-c", "ip -4 addr show eth0; cat /sys/class/net/eth0/mtu; ip route");
            Assert.Contains($"inet {stem}97/26", output, StringComparison.Ordinal);
            Assert.Contains("\n1400\n", output, StringComparison.Ordinal);
            Assert.Contains($"default via {stem}65 dev eth0", output, StringComparison.Ordinal);
            // icc=false: the first container (.96) does not answer the second.
            var ping = await docker.RunWithTimeoutAsync(TimeSpan.FromSeconds(20), "run", "--rm", "busybox", "ping", "-c", "1", "-W", "2", $"{stem}96");
            Assert.False(ping.Succeeded, ping.ToString());
            var gateway = await docker.RunWithTimeoutAsync(TimeSpan.FromSeconds(20), "run", "--rm", "busybox", "ping", "-c", "1", "-W", "2", $"{stem}65");
            Assert.True(gateway.Succeeded, gateway.ToString());
        }
        finally
        {
            await ContainerTestSupport.RemoveAllAndCheckCleanAsync(daemon, docker);
        }
    }
}
