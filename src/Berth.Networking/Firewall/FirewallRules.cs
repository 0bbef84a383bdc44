using System.Text;

namespace Berth.Networking.Firewall;

/// <summary>What the firewall needs to know about one bridge network.</summary>
public sealed record BridgeRules(string Bridge, string Subnet, bool Internal, bool Icc, bool Masquerade);

/// <summary>
/// The daemon's iptables rules as data: pure functions from (chain prefix, networks, what
/// iptables-save shows now) to iptables-restore input. Every per-network rule lives in chains the
/// daemon owns (named with the prefix), so applying is "rewrite our chains" and removal is
/// "flush and delete our chains"; the built-in chains only get one jump each, added when missing.
/// </summary>
public static class FirewallRules
{
    public static string Chain(string prefix) => prefix;
    public static string Forward(string prefix) => prefix + "-FORWARD";
    public static string Stage1(string prefix) => prefix + "-ISOLATION-STAGE-1";
    public static string Stage2(string prefix) => prefix + "-ISOLATION-STAGE-2";
    public static string User(string prefix) => prefix + "-USER";
    public static string Postrouting(string prefix) => prefix + "-POSTROUTING";

    /// <summary>The jumps from built-in chains, exactly as iptables-save prints them.</summary>
    public static IReadOnlyList<string> FilterJumps(string p) => [$"-A FORWARD -j {Forward(p)}"];

    public static IReadOnlyList<string> NatJumps(string p) =>
    [
        $"-A PREROUTING -m addrtype --dst-type LOCAL -j {Chain(p)}",
        $"-A OUTPUT -m addrtype --dst-type LOCAL -j {Chain(p)}",
        $"-A POSTROUTING -j {Postrouting(p)}",
    ];

    /// <summary>
    /// The OUTPUT jump of dockerd's userland-proxy mode, which earlier Berth versions installed:
    /// it skips 127.0.0.0/8, so 127.0.0.1:hostPort would never be forwarded. Replaced on apply.
    /// </summary>
    public static string LegacyOutputJump(string p) => $"-A OUTPUT ! -d 127.0.0.0/8 -m addrtype --dst-type LOCAL -j {Chain(p)}";

    /// <summary>
    /// iptables-restore --noflush input that makes the filter and nat tables hold exactly the
    /// rules for <paramref name="networks"/>. Declaring a chain flushes it, so stale rules of
    /// removed networks vanish in the same atomic commit. <c>&lt;P&gt;-USER</c> is never flushed
    /// (it is the operator's, as DOCKER-USER is) and only created when missing.
    /// </summary>
    public static string Apply(string p, IReadOnlyList<BridgeRules> networks, IReadOnlySet<string> filterSave, IReadOnlySet<string> natSave,
        IReadOnlyList<PortRule>? ports = null)
    {
        // Published ports only on bridges that exist and are not internal (dockerd maps no ports there).
        var external = networks.Where(n => !n.Internal).Select(n => n.Bridge).ToHashSet(StringComparer.Ordinal);
        var published = (ports ?? []).Where(r => external.Contains(r.Bridge)).ToList();
        var f = new StringBuilder();
        f.Append("*filter\n");
        foreach (var chain in new[] { Chain(p), Forward(p), Stage1(p), Stage2(p) })
        {
            f.Append(':').Append(chain).Append(" - [0:0]\n");
        }
        if (!filterSave.Contains($":{User(p)} - [0:0]") && !filterSave.Any(l => l.StartsWith($":{User(p)} ", StringComparison.Ordinal)))
        {
            f.Append(':').Append(User(p)).Append(" - [0:0]\n");
            f.Append($"-A {User(p)} -j RETURN\n");
        }
        f.Append($"-A {Forward(p)} -j {User(p)}\n");
        f.Append($"-A {Forward(p)} -j {Stage1(p)}\n");
        var stage1 = new StringBuilder();
        var stage2 = new StringBuilder();
        foreach (var n in networks)
        {
            string icc = n.Icc ? "ACCEPT" : "DROP";
            if (n.Internal)
            {
                // Internal: nothing leaves or enters the subnet through the bridge (setupInternalNetworkRules).
                stage1.Append($"-A {Stage1(p)} ! -s {n.Subnet} -o {n.Bridge} -j DROP\n");
                stage1.Append($"-A {Stage1(p)} -i {n.Bridge} ! -d {n.Subnet} -j DROP\n");
                f.Append($"-A {Forward(p)} -i {n.Bridge} -o {n.Bridge} -j {icc}\n");
                continue;
            }
            f.Append($"-A {Forward(p)} -o {n.Bridge} -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT\n");
            f.Append($"-A {Forward(p)} -o {n.Bridge} -j {Chain(p)}\n");
            f.Append($"-A {Forward(p)} -i {n.Bridge} ! -o {n.Bridge} -j ACCEPT\n");
            f.Append($"-A {Forward(p)} -i {n.Bridge} -o {n.Bridge} -j {icc}\n");
            // Isolation: traffic from one daemon bridge to another is dropped in stage 2.
            stage1.Append($"-A {Stage1(p)} -i {n.Bridge} ! -o {n.Bridge} -j {Stage2(p)}\n");
            stage2.Append($"-A {Stage2(p)} -o {n.Bridge} -j DROP\n");
        }
        PortRules.AppendFilter(f, p, published);
        f.Append(stage1).Append($"-A {Stage1(p)} -j RETURN\n");
        f.Append(stage2).Append($"-A {Stage2(p)} -j RETURN\n");
        if (!filterSave.Contains(FilterJumps(p)[0]))
        {
            // First in FORWARD, ahead of distribution rules, as dockerd places DOCKER-USER.
            f.Append($"-I FORWARD 1 -j {Forward(p)}\n");
        }
        f.Append("COMMIT\n");

        f.Append("*nat\n");
        f.Append(':').Append(Chain(p)).Append(" - [0:0]\n");
        f.Append(':').Append(Postrouting(p)).Append(" - [0:0]\n");
        // No "-i bridge -j RETURN" (dockerd's proxy mode): containers reach published ports
        // through the host's addresses too (hairpin).
        PortRules.AppendDnat(f, p, published);
        foreach (var n in networks.Where(n => !n.Internal && n.Masquerade))
        {
            f.Append($"-A {Postrouting(p)} -s {n.Subnet} ! -o {n.Bridge} -j MASQUERADE\n");
        }
        foreach (var n in networks.Where(n => !n.Internal))
        {
            PortRules.AppendLocalnetMasquerade(f, p, n.Bridge);
        }
        PortRules.AppendHairpin(f, p, published);
        if (natSave.Contains(LegacyOutputJump(p)))
        {
            f.Append("-D ").Append(LegacyOutputJump(p).AsSpan(3)).Append('\n');
        }
        foreach (var jump in NatJumps(p).Where(j => !natSave.Contains(j)))
        {
            f.Append(jump).Append('\n');
        }
        f.Append("COMMIT\n");
        return f.ToString();
    }

    /// <summary>
    /// Input that removes everything the prefix owns: rules in built-in chains that jump to our
    /// chains (by exact -D of the saved line), then our chains flushed and deleted. Only what
    /// iptables-save listed is touched, so it is a no-op on a clean host.
    /// </summary>
    public static string Remove(string p, IReadOnlyList<string> filterSave, IReadOnlyList<string> natSave)
    {
        var text = new StringBuilder();
        AppendRemoval(text, "filter", p, filterSave);
        AppendRemoval(text, "nat", p, natSave);
        return text.ToString();
    }

    /// <summary>True for the prefix's own chain names: P itself or P-anything.</summary>
    public static bool IsOwnChain(string p, string chain) =>
        chain == p || chain.StartsWith(p + "-", StringComparison.Ordinal);

    /// <summary>The lines of an iptables-save dump that belong to the prefix (leftover checks).</summary>
    public static IReadOnlyList<string> OwnedLines(string p, IEnumerable<string> save) =>
        save.Where(l => (l.StartsWith(':') && IsOwnChain(p, l[1..].Split(' ')[0])) ||
                        (l.StartsWith("-A ", StringComparison.Ordinal) && (IsOwnChain(p, l.Split(' ')[1]) || JumpTarget(l) is { } t && IsOwnChain(p, t))))
            .ToList();

    private static void AppendRemoval(StringBuilder text, string table, string p, IReadOnlyList<string> save)
    {
        var chains = save.Where(l => l.StartsWith(':')).Select(l => l[1..].Split(' ')[0]).Where(c => IsOwnChain(p, c)).ToList();
        var jumps = save.Where(l => l.StartsWith("-A ", StringComparison.Ordinal) && !IsOwnChain(p, l.Split(' ')[1]) &&
                                    JumpTarget(l) is { } t && IsOwnChain(p, t)).ToList();
        if (chains.Count == 0 && jumps.Count == 0)
        {
            return;
        }
        text.Append('*').Append(table).Append('\n');
        foreach (var chain in chains)
        {
            text.Append(':').Append(chain).Append(" - [0:0]\n");
        }
        foreach (var jump in jumps)
        {
            text.Append("-D ").Append(jump.AsSpan(3)).Append('\n');
        }
        foreach (var chain in chains)
        {
            text.Append("-X ").Append(chain).Append('\n');
        }
        text.Append("COMMIT\n");
    }

    private static string? JumpTarget(string line)
    {
        var tokens = line.Split(' ');
        for (int i = 0; i < tokens.Length - 1; i++)
        {
            if (tokens[i] is "-j" or "-g")
            {
                return tokens[i + 1];
            }
        }
        return null;
    }
}
