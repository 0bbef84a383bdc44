using Berth.Networking.Firewall;

namespace Berth.UnitTests.Networking;

/// <summary>Golden iptables-restore input: the rule set is data, so its text is the contract.</summary>
public sealed class FirewallRulesTests
{
    private static readonly BridgeRules[] Networks =
    [
        new("berth0", "172.17.0.0/16", Internal: false, Icc: true, Masquerade: true),
        new("br-abc", "172.18.0.0/16", Internal: false, Icc: false, Masquerade: false),
        new("br-int", "172.19.0.0/16", Internal: true, Icc: true, Masquerade: true),
    ];

    [Fact]
    public void Apply_OnCleanHost_CreatesChainsRulesAndJumps()
    {
        string expected = """
            *filter
            :P - [0:0]
            :P-FORWARD - [0:0]
            :P-ISOLATION-STAGE-1 - [0:0]
            :P-ISOLATION-STAGE-2 - [0:0]
            :P-USER - [0:0]
            -A P-USER -j RETURN
            -A P-FORWARD -j P-USER
            -A P-FORWARD -j P-ISOLATION-STAGE-1
            -A P-FORWARD -o berth0 -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
            -A P-FORWARD -o berth0 -j P
            -A P-FORWARD -i berth0 ! -o berth0 -j ACCEPT
            -A P-FORWARD -i berth0 -o berth0 -j ACCEPT
            -A P-FORWARD -o br-abc -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
            -A P-FORWARD -o br-abc -j P
            -A P-FORWARD -i br-abc ! -o br-abc -j ACCEPT
            -A P-FORWARD -i br-abc -o br-abc -j DROP
            -A P-FORWARD -i br-int -o br-int -j ACCEPT
            -A P-ISOLATION-STAGE-1 -i berth0 ! -o berth0 -j P-ISOLATION-STAGE-2
            -A P-ISOLATION-STAGE-1 -i br-abc ! -o br-abc -j P-ISOLATION-STAGE-2
            -A P-ISOLATION-STAGE-1 ! -s 172.19.0.0/16 -o br-int -j DROP
            -A P-ISOLATION-STAGE-1 -i br-int ! -d 172.19.0.0/16 -j DROP
            -A P-ISOLATION-STAGE-1 -j RETURN
            -A P-ISOLATION-STAGE-2 -o berth0 -j DROP
            -A P-ISOLATION-STAGE-2 -o br-abc -j DROP
            -A P-ISOLATION-STAGE-2 -j RETURN
            -I FORWARD 1 -j P-FORWARD
            COMMIT
            *nat
            :P - [0:0]
            :P-POSTROUTING - [0:0]
            -A P-POSTROUTING -s 172.17.0.0/16 ! -o berth0 -j MASQUERADE
            -A P-POSTROUTING -s 127.0.0.0/8 -o berth0 -j MASQUERADE
            -A P-POSTROUTING -s 127.0.0.0/8 -o br-abc -j MASQUERADE
            -A PREROUTING -m addrtype --dst-type LOCAL -j P
            -A OUTPUT -m addrtype --dst-type LOCAL -j P
            -A POSTROUTING -j P-POSTROUTING
            COMMIT

            """;
        Assert.Equal(expected, FirewallRules.Apply("P", Networks, new HashSet<string>(), new HashSet<string>()));
    }

    [Fact]
    public void Apply_WhenJumpsAndUserChainExist_DoesNotRepeatThem()
    {
        var filter = new HashSet<string> { ":P-USER - [0:0]", "-A P-USER -s 1.2.3.4 -j DROP", "-A FORWARD -j P-FORWARD" };
        var nat = new HashSet<string>(FirewallRules.NatJumps("P"));
        string text = FirewallRules.Apply("P", [], filter, nat);
        Assert.DoesNotContain(":P-USER", text);
        Assert.DoesNotContain("-I FORWARD", text);
        Assert.DoesNotContain("-A PREROUTING", text);
        Assert.DoesNotContain("-A POSTROUTING", text);
        Assert.Contains("-A P-FORWARD -j P-USER\n", text);
    }

    [Fact]
    public void Apply_WithPublishedPorts_AddsDnatAcceptAndHairpin_OnlyOnExternalBridges()
    {
        PortRule[] ports =
        [
            new("berth0", "tcp", "0.0.0.0", 32768, "172.17.0.2", 80),
            new("br-abc", "udp", "127.0.0.1", 5353, "172.18.0.3", 53),
            new("br-int", "tcp", "0.0.0.0", 9999, "172.19.0.2", 80),
            new("br-gone", "tcp", "0.0.0.0", 9998, "172.20.0.2", 80),
        ];
        string text = FirewallRules.Apply("P", Networks, new HashSet<string>(), new HashSet<string>(), ports);
        string[] lines = text.Split('\n');
        Assert.Contains("-A P -p tcp -m tcp --dport 32768 -j DNAT --to-destination 172.17.0.2:80", lines);
        Assert.Contains("-A P -d 127.0.0.1/32 -p udp -m udp --dport 5353 -j DNAT --to-destination 172.18.0.3:53", lines);
        Assert.Contains("-A P -d 172.17.0.2/32 ! -i berth0 -o berth0 -p tcp -m tcp --dport 80 -j ACCEPT", lines);
        Assert.Contains("-A P -d 172.18.0.3/32 ! -i br-abc -o br-abc -p udp -m udp --dport 53 -j ACCEPT", lines);
        Assert.Contains("-A P-POSTROUTING -s 172.17.0.2/32 -d 172.17.0.2/32 -p tcp -m tcp --dport 80 -j MASQUERADE", lines);
        Assert.DoesNotContain(lines, l => l.Contains("9999", StringComparison.Ordinal) || l.Contains("9998", StringComparison.Ordinal));
        // The DNAT rules sit in the nat table, the ACCEPT rules in filter.
        int nat = Array.IndexOf(lines, "*nat");
        Assert.True(Array.FindIndex(lines, l => l.Contains("DNAT", StringComparison.Ordinal)) > nat);
        Assert.True(Array.FindIndex(lines, l => l.Contains("-j ACCEPT", StringComparison.Ordinal) && l.Contains("--dport", StringComparison.Ordinal)) < nat);
    }

    [Fact]
    public void Apply_ReplacesTheLegacyOutputJump()
    {
        var nat = new HashSet<string> { FirewallRules.LegacyOutputJump("P") };
        string text = FirewallRules.Apply("P", [], new HashSet<string>(), nat);
        Assert.Contains("-D OUTPUT ! -d 127.0.0.0/8 -m addrtype --dst-type LOCAL -j P\n", text);
        Assert.Contains("-A OUTPUT -m addrtype --dst-type LOCAL -j P\n", text);
    }

    [Fact]
    public void Remove_DeletesJumpsThenChains_OnlyForThePrefix()
    {
        IReadOnlyList<string> filter =
        [
            ":INPUT ACCEPT [0:0]", ":FORWARD ACCEPT [0:0]", ":P - [0:0]", ":P-FORWARD - [0:0]", ":PX - [0:0]", ":DOCKER - [0:0]",
            "-A FORWARD -j P-FORWARD", "-A FORWARD -j PX", "-A FORWARD -j DOCKER", "-A P-FORWARD -o x -j P",
        ];
        IReadOnlyList<string> nat = [":POSTROUTING ACCEPT [0:0]", "-A POSTROUTING -s 10.0.0.0/8 -j MASQUERADE"];
        string expected = """
            *filter
            :P - [0:0]
            :P-FORWARD - [0:0]
            -D FORWARD -j P-FORWARD
            -X P
            -X P-FORWARD
            COMMIT

            """;
        Assert.Equal(expected, FirewallRules.Remove("P", filter, nat));
        Assert.Equal("", FirewallRules.Remove("P", [":INPUT ACCEPT [0:0]"], []));
    }

    [Fact]
    public void OwnedLines_MatchesPrefixExactly()
    {
        string[] save = [":P - [0:0]", ":PX - [0:0]", "-A FORWARD -j P-FORWARD", "-A FORWARD -j PX", "-A P-USER -j RETURN", "-A INPUT -j ACCEPT"];
        Assert.Equal([":P - [0:0]", "-A FORWARD -j P-FORWARD", "-A P-USER -j RETURN"], FirewallRules.OwnedLines("P", save));
    }
}
