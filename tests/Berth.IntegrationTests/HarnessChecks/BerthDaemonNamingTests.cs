using System.Text.RegularExpressions;
using Berth.IntegrationTests.Harness;

namespace Berth.IntegrationTests.HarnessChecks;

/// <summary>The fixture's isolation guarantees, checked without starting a daemon.</summary>
public sealed class BerthDaemonNamingTests
{
    [Fact]
    public async Task EveryDaemonGetsItsOwnRootsAndResourceNames()
    {
        var daemons = Enumerable.Range(0, 20).Select(_ => BerthDaemon.Create()).ToList();
        try
        {
            foreach (var selector in new Func<BerthDaemon, string>[]
            {
                d => d.Id, d => d.Root, d => d.SocketPath, d => d.DataRoot, d => d.ExecRoot, d => d.PidFile,
                d => d.CgroupParent, d => d.BridgeName, d => d.ChainPrefix, d => d.AddressPool,
            })
            {
                Assert.Equal(daemons.Count, daemons.Select(selector).Distinct().Count());
            }
            foreach (var d in daemons)
            {
                Assert.StartsWith(BerthDaemon.RootPrefix, d.Root, StringComparison.Ordinal);
                Assert.True(d.BridgeName.Length <= 15, d.BridgeName);
                Assert.True(d.ChainPrefix.Length <= 10, d.ChainPrefix);
                Assert.Matches(new Regex("^bit[0-9a-f]{7}$"), d.BridgeName);
                Assert.Matches(new Regex("^BIT[0-9A-F]{7}$"), d.ChainPrefix);
                Assert.Equal("/berth-it-" + d.Id, d.CgroupParent);
                Assert.Matches(new Regex(@"^10\.(2[0-5][0-9])\.([0-9]{1,3})\.0/24$"), d.AddressPool);
                Assert.True(d.SocketPath.Length < 100, "unix socket paths are limited to 108 bytes");
                var args = d.HarnessArgs();
                Assert.Contains("--iptables-chain-prefix", args);
                Assert.Contains($"base={d.AddressPool},size=24", args);
                Assert.Contains(d.BridgeName, args);
            }
        }
        finally
        {
            foreach (var d in daemons)
            {
                await d.DisposeAsync();
                Assert.False(Directory.Exists(d.Root), "dispose removes the temp root");
            }
        }
    }

    [Fact]
    public async Task OmitFlags_LeavesThoseFlagsOut()
    {
        await using var d = BerthDaemon.Create(new BerthDaemonOptions { OmitFlags = ["--data-root", "--bridge"] });
        var args = d.HarnessArgs();
        Assert.DoesNotContain("--data-root", args);
        Assert.DoesNotContain("--bridge", args);
        Assert.Contains("--exec-root", args);
    }

    [Fact]
    public void FreePort_NeverRepeats()
    {
        var ports = Enumerable.Range(0, 20).Select(_ => FreePort.Next()).ToList();
        Assert.Equal(ports.Count, ports.Distinct().Count());
    }
}
