using Berth.Engine.Configuration;

namespace Berth.Daemon.Configuration;

/// <summary>
/// Turns validated raw settings into a <see cref="DaemonConfig"/>: defaults, host defaulting
/// and normalisation, TLS implications, paths, pools and Berth's resource names.
/// </summary>
internal static class ConfigBuilder
{
    public static DaemonConfig? Build(Dictionary<DaemonOption, object> settings, DaemonArgs parsed, out string? error)
    {
        error = null;
        var defaults = new DaemonConfig();
        string Str(DaemonOption o, string fallback) =>
            settings.TryGetValue(o, out object? v) && ((string)v).Length > 0 ? (string)v : fallback;
        bool? Bool(DaemonOption o) => settings.TryGetValue(o, out object? v) ? (bool)v : null;

        IReadOnlyList<string> labels = [];
        if (settings.TryGetValue(DaemonOptions.Labels, out object? rawLabels))
        {
            // dockerd runs this after validation: one key with two values is an error.
            if (DaemonLabels.ConflictFree((string[])rawLabels, out error) is not { } cleaned)
            {
                return null;
            }
            labels = cleaned;
        }

        // As in dockerd, "--tlsverify" on the command line already means TLS when hosts are
        // defaulted; "tlsverify" in the file only takes effect after that.
        bool? tls = Bool(DaemonOptions.Tls);
        bool tlsForHosts = tls ?? parsed.Given.ContainsKey(DaemonOptions.TlsVerify);
        IReadOnlyList<string>? hosts = BuildHosts(settings, tlsForHosts, out error);
        if (hosts is null)
        {
            return null;
        }

        // Setting tlsverify at all, true or false, turns TLS on; tls without tlsverify verifies.
        bool? tlsVerify = Bool(DaemonOptions.TlsVerify);
        if (tlsVerify is not null)
        {
            tls = true;
        }

        IReadOnlyList<AddressPool> pools = defaults.DefaultAddressPools;
        if (settings.TryGetValue(DaemonOptions.AddressPools, out object? rawPools))
        {
            if (AddressPoolParser.Validate((AddressPool[])rawPools, out error) is not { } checkedPools)
            {
                return null;
            }
            pools = checkedPools;
        }

        string chainPrefix = Str(DaemonOptions.ChainPrefix, defaults.IptablesChainPrefix);
        if (ChainPrefixError(chainPrefix) is string chainError)
        {
            error = chainError;
            return null;
        }
        string bridge = Str(DaemonOptions.Bridge, defaults.Bridge);
        if (bridge.Length > 15 || bridge.Any(c => c == '/' || c == ':' || char.IsWhiteSpace(c)))
        {
            error = $"invalid bridge name \"{bridge}\": must be at most 15 characters without '/', ':' or spaces";
            return null;
        }

        var registry = new Engine.Distribution.RegistryOptions
        {
            Mirrors = settings.TryGetValue(DaemonOptions.RegistryMirrors, out object? mirrors) ? (string[])mirrors : [],
            InsecureRegistries = settings.TryGetValue(DaemonOptions.InsecureRegistries, out object? insecure) ? (string[])insecure : [],
            // dockerd: 0 (or unset) means the default.
            MaxConcurrentDownloads = settings.TryGetValue(DaemonOptions.MaxConcurrentDownloads, out object? d) && (int)d > 0 ? (int)d : defaults.Registry.MaxConcurrentDownloads,
            MaxConcurrentUploads = settings.TryGetValue(DaemonOptions.MaxConcurrentUploads, out object? u) && (int)u > 0 ? (int)u : defaults.Registry.MaxConcurrentUploads,
            CertsDir = Path.GetFullPath(Str(DaemonOptions.RegistryCertsDir, defaults.Registry.CertsDir)),
            LoopbackInsecure = Bool(DaemonOptions.RegistryLoopbackInsecure) ?? true,
        };
        try
        {
            _ = Engine.Distribution.RegistryHosts.Create(registry, _ => []);
        }
        catch (Engine.Errors.DaemonException e)
        {
            error = e.Message;
            return null;
        }

        string logDriver = Str(DaemonOptions.LogDriver, defaults.LogDriver);
        var logOpts = settings.TryGetValue(DaemonOptions.LogOpts, out object? rawOpts)
            ? (Dictionary<string, string>)rawOpts
            : new Dictionary<string, string>(StringComparer.Ordinal);
        if (Engine.Containers.Logs.LogDrivers.Validate(logDriver, logOpts) is string logError)
        {
            error = Engine.Errors.Messages.DaemonLogOptsInvalid(logError);
            return null;
        }

        if (BridgeAddressError(settings, defaults, out int mtu) is string bridgeError)
        {
            error = bridgeError;
            return null;
        }

        return new DaemonConfig
        {
            Registry = registry,
            Hosts = hosts,
            ConfigFile = parsed.ConfigFile,
            DataRoot = Path.GetFullPath(Str(DaemonOptions.DataRoot, defaults.DataRoot)),
            ExecRoot = Path.GetFullPath(Str(DaemonOptions.ExecRoot, defaults.ExecRoot)),
            // An explicitly empty pidfile means "write none"; useful for throwaway test daemons.
            PidFile = settings.TryGetValue(DaemonOptions.PidFile, out object? pid) && ((string)pid).Length == 0
                ? ""
                : Path.GetFullPath(Str(DaemonOptions.PidFile, defaults.PidFile)),
            Debug = Bool(DaemonOptions.Debug) ?? false,
            LogLevel = ConfigValidation.NormalizeLogLevel(Str(DaemonOptions.LogLevel, "")),
            Tls = tls,
            TlsVerify = tlsVerify ?? tls ?? false,
            TlsCaCert = Str(DaemonOptions.TlsCaCert, defaults.TlsCaCert),
            TlsCert = Str(DaemonOptions.TlsCert, defaults.TlsCert),
            TlsKey = Str(DaemonOptions.TlsKey, defaults.TlsKey),
            Group = Str(DaemonOptions.Group, "") is { Length: > 0 } group ? group : null,
            Labels = labels,
            CgroupParent = Str(DaemonOptions.CgroupParent, defaults.CgroupParent),
            Bridge = bridge,
            IptablesChainPrefix = chainPrefix,
            Bip = Str(DaemonOptions.Bip, "") is { Length: > 0 } bip ? bip : null,
            FixedCidr = Str(DaemonOptions.FixedCidr, "") is { Length: > 0 } fixedCidr ? fixedCidr : null,
            Mtu = mtu,
            Icc = Bool(DaemonOptions.Icc) ?? defaults.Icc,
            IpMasq = Bool(DaemonOptions.IpMasq) ?? defaults.IpMasq,
            DefaultAddressPools = pools,
            Dns = settings.TryGetValue(DaemonOptions.Dns, out object? dns) ? [.. ((string[])dns).Select(d => d.Trim())] : [],
            LiveRestore = Bool(DaemonOptions.LiveRestore) ?? false,
            LogDriver = logDriver,
            LogOpts = logOpts,
            Runtimes = settings.TryGetValue(DaemonOptions.Runtimes, out object? runtimes)
                ? (Dictionary<string, OciRuntimeConfig>)runtimes
                : defaults.Runtimes,
            DefaultRuntime = Str(DaemonOptions.DefaultRuntime, defaults.DefaultRuntime),
        };
    }

    /// <summary>dockerd's normalizeHosts: drop blanks, default, normalise, sort, de-duplicate.</summary>
    private static IReadOnlyList<string>? BuildHosts(Dictionary<DaemonOption, object> settings, bool tls, out string? error)
    {
        error = null;
        string[] given = settings.TryGetValue(DaemonOptions.Hosts, out object? raw) ? (string[])raw : [];
        var hosts = given.Select(h => h.Trim()).Where(h => h.Length > 0).ToList();
        if (hosts.Count == 0)
        {
            // With TLS on and no -H, dockerd listens on tcp://localhost:2376 instead of the socket.
            hosts.Add(tls ? HostAddress.DefaultTlsHost : DaemonConfig.DefaultHost);
        }
        var normalized = new SortedSet<string>(StringComparer.Ordinal);
        foreach (string host in hosts)
        {
            if (HostAddress.Normalize(host, out error) is not { } value)
            {
                return null;
            }
            normalized.Add(value);
        }
        return [.. normalized];
    }

    /// <summary>--bip must be an address with a prefix, --fixed-cidr a network inside it, --mtu 68..65535 (dockerd's checks).</summary>
    private static string? BridgeAddressError(Dictionary<DaemonOption, object> settings, DaemonConfig defaults, out int mtu)
    {
        mtu = settings.TryGetValue(DaemonOptions.Mtu, out object? m) ? (int)m : defaults.Mtu;
        if (mtu is < 68 or > 65535)
        {
            return $"invalid MTU {mtu}: it must be between 68 and 65535";
        }
        Ipv4Cidr? bip = null;
        if (settings.TryGetValue(DaemonOptions.Bip, out object? rawBip) && ((string)rawBip).Length > 0)
        {
            bip = Ipv4Cidr.TryParse((string)rawBip);
            if (bip is null)
            {
                return $"invalid bip \"{rawBip}\": an IPv4 address with a prefix length is required (e.g. 172.17.0.1/16)";
            }
        }
        if (settings.TryGetValue(DaemonOptions.FixedCidr, out object? rawFixed) && ((string)rawFixed).Length > 0)
        {
            var range = Ipv4Cidr.TryParse((string)rawFixed);
            if (range is null)
            {
                return $"invalid fixed-cidr \"{rawFixed}\": an IPv4 CIDR is required";
            }
            if (bip is { } b && (range.Value.Bits < b.Bits || !b.Contains(range.Value.Address)))
            {
                return $"fixed-cidr {rawFixed} is not inside the bridge subnet {b.Network}/{b.Bits} (--bip)";
            }
        }
        return null;
    }

    /// <summary>
    /// Chains are named PREFIX-SUFFIX; iptables allows 28 characters and the longest suffix
    /// ("-ISOLATION-STAGE-2", as in dockerd) takes 18, so the prefix gets 10.
    /// </summary>
    private static string? ChainPrefixError(string prefix)
    {
        bool ok = prefix.Length is > 0 and <= 10
            && char.IsAsciiLetter(prefix[0])
            && prefix.All(c => char.IsAsciiLetterOrDigit(c) || c == '_' || c == '-');
        return ok ? null : $"invalid iptables-chain-prefix \"{prefix}\": use 1 to 10 letters, digits, '_' or '-', starting with a letter";
    }
}

/// <summary>An IPv4 address with a prefix length, for validating --bip and --fixed-cidr (host bits allowed).</summary>
internal readonly record struct Ipv4Cidr(uint Address, int Bits)
{
    private uint Mask => Bits == 0 ? 0 : uint.MaxValue << (32 - Bits);

    public string Network => new System.Net.IPAddress(System.Buffers.Binary.BinaryPrimitives.ReverseEndianness(Address & Mask)).ToString();

    public bool Contains(uint address) => (address & Mask) == (Address & Mask);

    public static Ipv4Cidr? TryParse(string text)
    {
        int slash = text.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0 || !System.Net.IPAddress.TryParse(text[..slash], out var ip) || ip.AddressFamily != System.Net.Sockets.AddressFamily.InterNetwork
            || text[..slash].Count(c => c == '.') != 3
            || !int.TryParse(text.AsSpan(slash + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int bits) || bits > 32)
        {
            return null;
        }
        return new Ipv4Cidr(System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(ip.GetAddressBytes()), bits);
    }
}
