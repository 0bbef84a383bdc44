using System.Diagnostics;
using System.Security.Cryptography;
using Berth.Networking.Firewall;
using Microsoft.Extensions.Logging.Abstractions;

namespace Berth.IntegrationTests.Networking;

/// <summary>
/// The rule set against the real iptables with a random prefix (BFT&lt;5 hex&gt;) and bridge names
/// that exist nowhere (iptables accepts unknown interfaces); everything is removed in finally.
/// </summary>
public sealed class FirewallTests
{
    private readonly ITestOutputHelper _output;
    private readonly string _prefix = "BFT" + Convert.ToHexString(RandomNumberGenerator.GetBytes(3))[..5];

    public FirewallTests(ITestOutputHelper output)
    {
        _output = output;
    }

    [Fact]
    public async Task Apply_IsIdempotent_AndRemoveLeavesNothing()
    {
        string before = await HostNet.IptablesSaveAsync();
        var firewall = new Firewall(_prefix, new IptablesCommands(), NullLogger.Instance);
        var tag = _prefix.ToLowerInvariant();
        BridgeRules[] networks =
        [
            new($"{tag}a", "10.254.1.0/24", Internal: false, Icc: true, Masquerade: true),
            new($"{tag}b", "10.254.2.0/24", Internal: true, Icc: false, Masquerade: true),
        ];
        try
        {
            var watch = Stopwatch.StartNew();
            firewall.Apply(networks);
            _output.WriteLine($"rule setup (save+restore, 2 networks): {watch.Elapsed.TotalMilliseconds:F1} ms");
            string once = await HostNet.IptablesSaveAsync();
            firewall.Apply(networks);
            string twice = await HostNet.IptablesSaveAsync();
            Assert.Equal(Owned(once), Owned(twice));
            Assert.Single(Owned(twice), l => l == $"-A FORWARD -j {_prefix}-FORWARD");
            Assert.Contains($"-A {_prefix}-POSTROUTING -s 10.254.1.0/24 ! -o {tag}a -j MASQUERADE", twice);
            Assert.DoesNotContain("-s 10.254.2.0/24 ! -o", twice);
            Assert.Contains($"-A {_prefix}-FORWARD -i {tag}b -o {tag}b -j DROP", twice);

            firewall.Apply([networks[0]]);
            Assert.DoesNotContain($"{tag}b", await HostNet.IptablesSaveAsync());

            firewall.RemoveAll();
            string after = await HostNet.IptablesSaveAsync();
            Assert.Empty(Owned(after));
            Assert.Equal(Owned(before), Owned(after));
            firewall.RemoveAll(); // nothing left: a no-op, not an error
        }
        finally
        {
            firewall.RemoveAll();
        }
    }

    private List<string> Owned(string save) => FirewallRules.OwnedLines(_prefix, save.Split('\n')).Where(l => !l.StartsWith(':')).ToList();
}
