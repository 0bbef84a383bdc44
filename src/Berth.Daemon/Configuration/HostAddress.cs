using System.Globalization;

namespace Berth.Daemon.Configuration;

/// <summary>
/// Validates and normalises -H / "hosts" values the way moby's daemon/pkg/opts/hosts.go
/// (ParseDaemonHost, ParseTCPAddr) does, so scripts written for dockerd get the same
/// addresses and the same error texts.
/// </summary>
public static class HostAddress
{
    /// <summary>dockerd's DefaultHTTPHost on Unix is "localhost", not 0.0.0.0.</summary>
    public const string DefaultTcpHost = "localhost";
    public const string DefaultTcpPort = "2375";
    public const string DefaultTlsHost = "tcp://localhost:2376";

    /// <summary>Returns the normalised address, or null with <paramref name="error"/> set.</summary>
    public static string? Normalize(string address, out string? error)
    {
        error = null;
        int sep = address.IndexOf("://", StringComparison.Ordinal);
        string proto;
        string rest;
        if (sep < 0)
        {
            // A bare "host:port" is shorthand for tcp; "" stays an unsupported empty proto.
            proto = address.Length == 0 ? "" : "tcp";
            rest = address;
        }
        else
        {
            proto = address[..sep];
            rest = address[(sep + 3)..];
        }

        switch (proto)
        {
            case "tcp":
                return NormalizeTcp(address, out error);
            case "unix":
                if (rest.Contains("://", StringComparison.Ordinal))
                {
                    error = $"invalid bind address ({address}): invalid unix address: {rest}";
                    return null;
                }
                // An empty path means the daemon's default socket.
                return rest.Length == 0 ? Berth.Engine.Configuration.DaemonConfig.DefaultHost : "unix://" + rest;
            case "fd":
                // dockerd accepts anything here and fails later in the listener; we check the
                // number now so the error comes from configuration, not from startup.
                if (rest.Length > 0 && !rest.All(char.IsAsciiDigit))
                {
                    error = $"invalid bind address ({address}): fd must be a number: {rest}";
                    return null;
                }
                return address;
            default:
                error = $"invalid bind address ({address}): unsupported proto '{proto}'";
                return null;
        }
    }

    private static string? NormalizeTcp(string address, out string? error)
    {
        error = null;
        string url = address.Contains("://", StringComparison.Ordinal) ? address : "tcp://" + address;
        string prefix = $"invalid bind address ({address}): ";
        string scheme = url[..url.IndexOf("://", StringComparison.Ordinal)];
        string afterScheme = url[(scheme.Length + 3)..];
        int slash = afterScheme.IndexOf('/', StringComparison.Ordinal);
        string authority = slash < 0 ? afterScheme : afterScheme[..slash];

        // Authority errors come first, as in Go's url.Parse.
        if (!SplitAuthority(authority, out string host, out string port, out string? urlError))
        {
            error = $"{prefix}parse \"{url}\": {urlError}";
            return null;
        }
        if (scheme != "tcp")
        {
            error = $"{prefix}unsupported proto '{scheme}'";
            return null;
        }
        if (slash >= 0)
        {
            error = prefix + "should not contain a path element";
            return null;
        }
        if (port.Length > 0 && (!long.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out long p) || p == 0))
        {
            error = $"{prefix}invalid port: {port}";
            return null;
        }

        if (host.Length == 0)
        {
            host = DefaultTcpHost;
        }
        if (port.Length == 0)
        {
            port = DefaultTcpPort;
        }
        // net.JoinHostPort brackets anything with a colon (IPv6).
        return host.Contains(':', StringComparison.Ordinal) ? $"tcp://[{host}]:{port}" : $"tcp://{host}:{port}";
    }

    /// <summary>host[:port] or [v6][:port], with Go url.Parse's checks and messages.</summary>
    private static bool SplitAuthority(string authority, out string host, out string port, out string? error)
    {
        host = "";
        port = "";
        error = null;
        string colonPort;
        if (authority.StartsWith('['))
        {
            int close = authority.LastIndexOf(']');
            if (close < 0)
            {
                error = "missing ']' in host";
                return false;
            }
            host = authority[1..close];
            colonPort = authority[(close + 1)..];
        }
        else
        {
            int colon = authority.LastIndexOf(':');
            host = colon < 0 ? authority : authority[..colon];
            colonPort = colon < 0 ? "" : authority[colon..];
            foreach (char c in host)
            {
                if (!char.IsAsciiLetterOrDigit(c) && !"-._~!$&'()*+,;=:".Contains(c, StringComparison.Ordinal))
                {
                    error = $"invalid character \"{c}\" in host name";
                    return false;
                }
            }
        }
        if (colonPort.Length > 0 && (colonPort[0] != ':' || !colonPort[1..].All(char.IsAsciiDigit)))
        {
            error = $"invalid port \"{colonPort}\" after host";
            return false;
        }
        port = colonPort.Length > 0 ? colonPort[1..] : "";
        return true;
    }
}
