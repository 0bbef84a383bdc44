using Microsoft.Extensions.Logging;

namespace Berth.Networking.Firewall;

/// <summary>Applies and removes the daemon's rule set; serialised because each apply rewrites whole chains.</summary>
public sealed partial class Firewall
{
    private readonly string _prefix;
    private readonly IIptables _iptables;
    private readonly ILogger _log;
    private readonly Lock _lock = new();

    public Firewall(string prefix, IIptables iptables, ILogger log)
    {
        _prefix = prefix;
        _iptables = iptables;
        _log = log;
    }

    public string Prefix => _prefix;

    /// <summary>Makes the tables hold exactly the rules of <paramref name="networks"/> (idempotent).</summary>
    public void Apply(IReadOnlyList<BridgeRules> networks)
    {
        lock (_lock)
        {
            var filter = _iptables.Save("filter").ToHashSet(StringComparer.Ordinal);
            var nat = _iptables.Save("nat").ToHashSet(StringComparer.Ordinal);
            _iptables.Restore(FirewallRules.Apply(_prefix, networks, filter, nat));
            LogApplied(_log, networks.Count, _prefix);
        }
    }

    /// <summary>Removes every chain and jump the prefix owns.</summary>
    public void RemoveAll()
    {
        lock (_lock)
        {
            string input = FirewallRules.Remove(_prefix, _iptables.Save("filter"), _iptables.Save("nat"));
            if (input.Length > 0)
            {
                _iptables.Restore(input);
            }
        }
    }

    [LoggerMessage(EventId = 700, Level = LogLevel.Debug, Message = "Firewall rules applied for {Count} bridge networks (chains {Prefix}*)")]
    private static partial void LogApplied(ILogger logger, int count, string prefix);
}
