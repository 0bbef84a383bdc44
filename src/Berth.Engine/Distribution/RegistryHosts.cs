using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Berth.Engine.Errors;

namespace Berth.Engine.Distribution;

/// <summary>One base URL to talk to a registry through.</summary>
/// <param name="Host">host[:port] as in the image reference (certs.d directory name, TLS server name).</param>
/// <param name="SkipVerify">Insecure registry: TLS certificates are not checked (dockerd's InsecureSkipVerify).</param>
public sealed record RegistryEndpoint(Uri BaseUri, string Host, bool Mirror, bool SkipVerify)
{
    public bool IsTls => BaseUri.Scheme == Uri.UriSchemeHttps;

    /// <summary>"http://127.0.0.1:5000/v2/".</summary>
    public string V2 => BaseUri.GetLeftPart(UriPartial.Authority) + "/v2/";
}

/// <summary>
/// moby registry service config: which endpoints serve a registry host (mirrors first for
/// docker.io; HTTPS, then plain HTTP for insecure registries) and which hosts are insecure
/// (listed names, CIDR ranges, loopback).
/// </summary>
public sealed partial class RegistryHosts
{
    public const string IndexName = "docker.io";
    public const string IndexHostname = "index.docker.io";
    public const string DefaultRegistryHost = "registry-1.docker.io";

    private readonly HashSet<string> _insecureNames;
    private readonly Func<string, IPAddress[]> _resolve;

    private RegistryHosts(RegistryOptions options, IReadOnlyList<string> mirrors, HashSet<string> names, IReadOnlyList<(IPAddress Network, int Bits)> cidrs, Func<string, IPAddress[]> resolve)
    {
        Options = options;
        Mirrors = mirrors;
        _insecureNames = names;
        InsecureCidrs = cidrs;
        _resolve = resolve;
    }

    public RegistryOptions Options { get; }

    /// <summary>Validated mirrors, each ending in '/'.</summary>
    public IReadOnlyList<string> Mirrors { get; }

    public IReadOnlyList<(IPAddress Network, int Bits)> InsecureCidrs { get; }

    public IReadOnlyCollection<string> InsecureNames => _insecureNames;

    /// <summary>Validates options with dockerd's messages; throws InvalidParameter.</summary>
    public static RegistryHosts Create(RegistryOptions options, Func<string, IPAddress[]>? resolve = null)
    {
        var mirrors = new List<string>();
        foreach (var mirror in options.Mirrors)
        {
            var valid = ValidateMirror(mirror);
            if (!mirrors.Contains(valid))
            {
                mirrors.Add(valid);
            }
        }
        var names = new HashSet<string>(StringComparer.Ordinal);
        var cidrs = new List<(IPAddress, int)>();
        var all = options.InsecureRegistries.ToList();
        if (options.LoopbackInsecure)
        {
            all.Add("::1/128");
            all.Add("127.0.0.0/8");
        }
        foreach (var raw in all)
        {
            var r = raw == IndexHostname ? IndexName : raw;
            if (r.StartsWith('-') || r.EndsWith('-'))
            {
                throw DaemonException.InvalidParameter($"invalid index name ({r}). Cannot begin or end with a hyphen");
            }
            int scheme = r.IndexOf("://", StringComparison.Ordinal);
            if (scheme >= 0)
            {
                var s = r[..scheme].ToLowerInvariant();
                if (s is not ("http" or "https"))
                {
                    throw DaemonException.InvalidParameter($"insecure registry {r} should not contain '://'");
                }
                r = r[(scheme + 3)..];
            }
            if (TryParseCidr(r, out var network, out int bits))
            {
                if (!cidrs.Contains((network, bits)))
                {
                    cidrs.Add((network, bits));
                }
                continue;
            }
            if (!IsValidHostPort(r))
            {
                throw DaemonException.InvalidParameter($"insecure registry {r} is not valid: invalid host \"{r}\"");
            }
            if (r != IndexName)
            {
                names.Add(r);
            }
        }
        return new RegistryHosts(options, mirrors, names, cidrs, resolve ?? SafeResolve);
    }

    /// <summary>registry.ValidateMirror: an http(s) URL without query, fragment or credentials.</summary>
    public static string ValidateMirror(string mirror)
    {
        int scheme = mirror.IndexOf("://", StringComparison.Ordinal);
        if (scheme <= 0)
        {
            throw DaemonException.InvalidParameter($"invalid mirror: no scheme specified for \"{mirror}\": must use either 'https://' or 'http://'");
        }
        if (!Uri.TryCreate(mirror, UriKind.Absolute, out var uri))
        {
            throw DaemonException.InvalidParameter($"invalid mirror: \"{mirror}\" is not a valid URI");
        }
        if (uri.Scheme is not ("http" or "https"))
        {
            throw DaemonException.InvalidParameter($"invalid mirror: unsupported scheme \"{uri.Scheme}\" in \"{mirror}\": must use either 'https://' or 'http://'");
        }
        if (uri.Query.Length > 0 || uri.Fragment.Length > 0)
        {
            throw DaemonException.InvalidParameter($"invalid mirror: query or fragment at end of the URI \"{mirror}\"");
        }
        if (uri.UserInfo.Length > 0)
        {
            throw DaemonException.InvalidParameter($"invalid mirror: username/password not allowed in URI \"{mirror}\"");
        }
        return mirror.TrimEnd('/') + "/";
    }

    /// <summary>The reference domain as the registry service names it ("index.docker.io" is docker.io).</summary>
    public static string NormalizeIndexName(string host) => host == IndexHostname ? IndexName : host;

    public static bool IsOfficial(string host) => NormalizeIndexName(host) == IndexName;

    /// <summary>isSecureIndex: listed names are insecure; otherwise any resolved address in an insecure range.</summary>
    public bool IsSecure(string host)
    {
        host = NormalizeIndexName(host);
        if (host == IndexName)
        {
            return true;
        }
        if (_insecureNames.Contains(host))
        {
            return false;
        }
        if (InsecureCidrs.Count == 0)
        {
            return true;
        }
        string bare = StripPort(host);
        IPAddress[] addresses = IPAddress.TryParse(bare, out var ip) ? [ip] : _resolve(bare);
        foreach (var address in addresses)
        {
            var a = address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
            if (InsecureCidrs.Any(c => Contains(c.Network, c.Bits, a)))
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>Pull: mirrors (docker.io only) then the registry; HTTPS first, HTTP only for insecure ones.</summary>
    public IReadOnlyList<RegistryEndpoint> PullEndpoints(string host) => Lookup(host, includeMirrors: true);

    /// <summary>Push and login: never mirrors (credentials of the upstream must not reach them).</summary>
    public IReadOnlyList<RegistryEndpoint> PushEndpoints(string host) => Lookup(host, includeMirrors: false);

    private List<RegistryEndpoint> Lookup(string host, bool includeMirrors)
    {
        var endpoints = new List<RegistryEndpoint>();
        if (IsOfficial(host))
        {
            if (includeMirrors)
            {
                foreach (var mirror in Mirrors)
                {
                    var uri = new Uri(mirror);
                    endpoints.Add(new RegistryEndpoint(uri, uri.Authority, Mirror: true, SkipVerify: !IsSecure(uri.Authority)));
                }
            }
            endpoints.Add(new RegistryEndpoint(new Uri("https://" + DefaultRegistryHost), DefaultRegistryHost, false, false));
            return endpoints;
        }
        bool insecure = !IsSecure(host);
        endpoints.Add(new RegistryEndpoint(new Uri("https://" + host), host, false, insecure));
        if (insecure)
        {
            endpoints.Add(new RegistryEndpoint(new Uri("http://" + host), host, false, true));
        }
        return endpoints;
    }

    private static string StripPort(string host)
    {
        if (host.StartsWith('['))
        {
            int end = host.IndexOf(']', StringComparison.Ordinal);
            return end > 0 ? host[1..end] : host;
        }
        int colon = host.LastIndexOf(':');
        return colon > 0 && host.IndexOf(':', StringComparison.Ordinal) == colon ? host[..colon] : host;
    }

    private static bool TryParseCidr(string text, out IPAddress network, out int bits)
    {
        network = IPAddress.None;
        bits = 0;
        int slash = text.IndexOf('/', StringComparison.Ordinal);
        if (slash <= 0 || !IPAddress.TryParse(text[..slash], out var address) || !int.TryParse(text[(slash + 1)..], out bits))
        {
            return false;
        }
        int max = address.AddressFamily == AddressFamily.InterNetwork ? 32 : 128;
        if (bits < 0 || bits > max)
        {
            return false;
        }
        network = Mask(address, bits);
        return true;
    }

    private static IPAddress Mask(IPAddress address, int bits)
    {
        var bytes = address.GetAddressBytes();
        for (int i = 0; i < bytes.Length; i++)
        {
            int keep = Math.Clamp(bits - i * 8, 0, 8);
            bytes[i] &= (byte)(0xff << (8 - keep));
        }
        return new IPAddress(bytes);
    }

    private static bool Contains(IPAddress network, int bits, IPAddress address) =>
        network.AddressFamily == address.AddressFamily && Mask(address, bits).Equals(network);

    private static bool IsValidHostPort(string text)
    {
        string host = StripPort(text);
        if (host.Length != text.Length)
        {
            var port = text[(text.LastIndexOf(':') + 1)..];
            if (!int.TryParse(port, out int p) || p < 0 || p > 65535)
            {
                return false;
            }
        }
        return DomainPattern().IsMatch(text) || IPAddress.TryParse(host, out _);
    }

    private static IPAddress[] SafeResolve(string host)
    {
        try
        {
            return Dns.GetHostAddresses(host);
        }
        catch (SocketException)
        {
            return [];
        }
    }

    // reference.DomainRegexp: dot-separated components, an optional port.
    [GeneratedRegex(@"^(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)(?:\.(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?))*(?::[0-9]+)?$")]
    private static partial Regex DomainPattern();
}
