using Microsoft.Extensions.Logging;

namespace Berth.Networking.Firewall;

/// <summary>Applies and removes the daemon's rule set; serialised because each apply rewrites whole chains.</summary>
public sealed partial class Firewall
{
    private readonly string _prefix;
    private readonly IIptables _iptables;
    private readonly ILogger _log;
    private readonly Lock _lock = new();
    private readonly Dictionary<string, IReadOnlyList<PortRule>> _ports = new(StringComparer.Ordinal);
    private IReadOnlyList<BridgeRules>? _networks;

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
            _networks = networks;
            ApplyLocked();
        }
    }

    /// <summary>
    /// Replaces the published-port rules of one owner (a container) and re-applies; an empty
    /// list removes them. On failure the previous rules of that owner stay in effect and in the book.
    /// </summary>
    public void SetPorts(string owner, IReadOnlyList<PortRule> ports)
    {
        lock (_lock)
        {
            var previous = _ports.GetValueOrDefault(owner);
            if (ports.Count == 0 && previous is null)
            {
                return;
            }
            if (ports.Count == 0)
            {
                _ports.Remove(owner);
            }
            else
            {
                _ports[owner] = ports;
            }
            if (_networks is null)
            {
                // Start-up before the network rules were first applied: they will carry these.
                return;
            }
            try
            {
                ApplyLocked();
            }
            catch
            {
                if (previous is null)
                {
                    _ports.Remove(owner);
                }
                else
                {
                    _ports[owner] = previous;
                }
                throw;
            }
        }
    }

    private void ApplyLocked()
    {
        var filter = _iptables.Save("filter").ToHashSet(StringComparer.Ordinal);
        var nat = _iptables.Save("nat").ToHashSet(StringComparer.Ordinal);
        var networks = _networks ?? [];
        var ports = _ports.OrderBy(p => p.Key, StringComparer.Ordinal).SelectMany(p => p.Value).ToList();
        _iptables.Restore(FirewallRules.Apply(_prefix, networks, filter, nat, ports));
        LogApplied(_log, networks.Count, ports.Count, _prefix);
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

    [LoggerMessage(EventId = 700, Level = LogLevel.Debug, Message = "Firewall rules applied for {Count} bridge networks and {Ports} published ports (chains {Prefix}*)")]
    private static partial void LogApplied(ILogger logger, int count, int ports, string prefix);
}
