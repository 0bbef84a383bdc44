using Berth.Engine.Containers;
using Berth.Engine.Errors;

namespace Berth.Engine.Networks;

/// <summary>A container port as the API keys it: "80/tcp", "53/udp"; a bare "80" is tcp.</summary>
public readonly record struct PortKey(int Port, string Proto)
{
    public override string ToString() => $"{Port}/{Proto}";

    /// <summary>Accepts what dockerd's nat.NewPort does for a single port; false for ranges and junk.</summary>
    public static bool TryParse(string raw, out PortKey key)
    {
        (string proto, string port) = PortSpecs.SplitProtoPort(raw);
        key = default;
        if (!PortSpecs.TryParseUInt16(port, out int number))
        {
            return false;
        }
        key = new PortKey(number, proto.ToLowerInvariant());
        return true;
    }
}

/// <summary>
/// One host-port request derived from HostConfig: container port, host address ("" = the
/// network's default binding address) and a host port range (0-0 = any ephemeral port).
/// </summary>
public sealed record PortRequest(PortKey Container, string HostIp, int HostPortStart, int HostPortEnd)
{
    public bool IsExact => HostPortStart != 0 && HostPortStart == HostPortEnd;
}

/// <summary>
/// Parsing and validation of ExposedPorts / PortBindings / PublishAllPorts with the rules of
/// dockerd 28 (go-connections nat, daemon/container.go validatePortBindings,
/// container_operations.go buildSandboxOptions). Pure.
/// </summary>
public static class PortSpecs
{
    /// <summary>nat.SplitProtoPort: "80/udp" → (udp, 80); "80" → (tcp, 80); "" or "/x" → ("", "").</summary>
    public static (string Proto, string Port) SplitProtoPort(string raw)
    {
        string[] parts = raw.Split('/');
        if (raw.Length == 0 || parts[0].Length == 0)
        {
            return ("", "");
        }
        if (parts.Length == 1)
        {
            return ("tcp", raw);
        }
        return parts[1].Length == 0 ? ("tcp", parts[0]) : (parts[1], parts[0]);
    }

    /// <summary>strconv.ParseUint(s, 10, 16): ASCII digits only, at most 65535.</summary>
    public static bool TryParseUInt16(string text, out int value)
    {
        value = 0;
        if (text.Length == 0)
        {
            return false;
        }
        foreach (char c in text)
        {
            if (c is < '0' or > '9')
            {
                return false;
            }
            value = value * 10 + (c - '0');
            if (value > ushort.MaxValue)
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>
    /// nat.ParsePortRange: "8000" or "8000-8010" (only the first two '-' fields count, as in Go);
    /// an empty string is 0-0 here because every caller treats it as "any port".
    /// </summary>
    public static bool TryParseRange(string text, out int start, out int end)
    {
        start = end = 0;
        if (text.Length == 0)
        {
            return true;
        }
        if (!text.Contains('-', StringComparison.Ordinal))
        {
            bool ok = TryParseUInt16(text, out start);
            end = start;
            return ok;
        }
        string[] parts = text.Split('-');
        return TryParseUInt16(parts[0], out start) && TryParseUInt16(parts[1], out end) && end >= start;
    }

    /// <summary>
    /// validatePortBindings plus the network-mode conflicts of runconfig: throws
    /// InvalidParameter with dockerd's text. Returns create warnings (host mode discards ports).
    /// </summary>
    public static IReadOnlyList<string> Validate(ContainerSettings config, HostSettings host)
    {
        var bindings = host.PortBindings;
        if (bindings is not null)
        {
            foreach (var (key, list) in bindings)
            {
                string port = SplitProtoPort(key).Port;
                if (port.Length > 0 && !TryParseUInt16(port, out _))
                {
                    throw DaemonException.InvalidParameter(Messages.InvalidPortSpecification(port));
                }
                foreach (var b in list)
                {
                    if (!TryParseRange(SplitProtoPort(b.HostPort).Port, out _, out _))
                    {
                        throw DaemonException.InvalidParameter(Messages.InvalidPortSpecification(b.HostPort));
                    }
                }
            }
        }
        string mode = host.NetworkMode;
        if (mode.StartsWith("container:", StringComparison.Ordinal))
        {
            if (bindings is { Count: > 0 } || host.PublishAllPorts)
            {
                throw DaemonException.InvalidParameter(Messages.ConflictNetworkPublishPorts);
            }
            if (config.ExposedPorts is { Count: > 0 })
            {
                throw DaemonException.InvalidParameter(Messages.ConflictNetworkExposePorts);
            }
        }
        return mode == "host" && bindings is { Count: > 0 } ? [Messages.PublishedPortsDiscardedHostMode] : [];
    }

    /// <summary>The exposed ports, parsed and sorted (unparsable keys are skipped, as dockerd logs and skips them).</summary>
    public static IReadOnlyList<PortKey> Exposed(ContainerSettings config)
    {
        var keys = new HashSet<PortKey>();
        foreach (string raw in config.ExposedPorts ?? [])
        {
            if (PortKey.TryParse(raw, out var key))
            {
                keys.Add(key);
            }
        }
        // nat.SortPortMap's base order: by number, then protocol.
        return [.. keys.OrderBy(k => k.Port).ThenBy(k => k.Proto, StringComparer.Ordinal)];
    }

    /// <summary>
    /// What to publish: for each exposed port its bindings (HostPort parsed into a range, "" →
    /// any), or one any-port binding when PublishAllPorts and it has none. Only exposed ports
    /// are published, as in dockerd (the CLI adds every -p port to ExposedPorts).
    /// </summary>
    public static IReadOnlyList<PortRequest> Requests(ContainerSettings config, HostSettings host)
    {
        var byKey = new Dictionary<PortKey, List<PortBindingSettings>>();
        foreach (var (raw, list) in host.PortBindings ?? new Dictionary<string, IReadOnlyList<PortBindingSettings>>())
        {
            if (PortKey.TryParse(raw, out var key))
            {
                if (!byKey.TryGetValue(key, out var all))
                {
                    byKey[key] = all = [];
                }
                all.AddRange(list);
            }
        }
        var requests = new List<PortRequest>();
        foreach (var key in Exposed(config))
        {
            var list = byKey.GetValueOrDefault(key);
            foreach (var b in list ?? [])
            {
                if (!TryParseRange(SplitProtoPort(b.HostPort).Port, out int start, out int end))
                {
                    throw DaemonException.InvalidParameter(Messages.InvalidPortSpecification(b.HostPort));
                }
                requests.Add(new PortRequest(key, NormalizeHostIp(b.HostIp), start, end));
            }
            if (host.PublishAllPorts && (list is null || list.Count == 0))
            {
                requests.Add(new PortRequest(key, "", 0, 0));
            }
        }
        return requests;
    }

    /// <summary>
    /// net.ParseIP semantics: dotted quads or IPv6 only (not .NET's "127.1" forms); anything
    /// unparsable means "no address given"; IPv4-mapped IPv6 becomes IPv4.
    /// </summary>
    public static string NormalizeHostIp(string hostIp)
    {
        bool v6 = hostIp.Contains(':', StringComparison.Ordinal);
        if (!v6 && (hostIp.Count(c => c == '.') != 3 || hostIp.Split('.').Any(p => !TryParseUInt16(p, out int b) || b > 255)))
        {
            return "";
        }
        if (!System.Net.IPAddress.TryParse(hostIp, out var ip))
        {
            return "";
        }
        return ip.IsIPv4MappedToIPv6 ? ip.MapToIPv4().ToString() : ip.ToString();
    }
}
