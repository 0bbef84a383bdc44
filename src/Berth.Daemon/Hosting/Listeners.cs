using System.Net;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Berth.Daemon.Transport;
using Berth.Engine.Configuration;
using Berth.Linux;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;

namespace Berth.Daemon.Hosting;

/// <summary>One parsed -H address.</summary>
public sealed record ListenAddress(string Scheme, string Target)
{
    public override string ToString() => $"{Scheme}://{Target}";
}

/// <summary>
/// Binds the -H addresses on Kestrel: unix sockets (stale files from a crashed daemon removed,
/// mode 0660, group set after bind), tcp only with TLS unless --tls=false, fd:// from systemd.
/// </summary>
public static class Listeners
{
    /// <summary>Checks the combination of addresses and TLS settings; returns a one-line reason or null.</summary>
    public static string? Validate(DaemonConfig config, IReadOnlyList<ListenAddress> addresses)
    {
        foreach (var address in addresses)
        {
            if (address.Scheme != "tcp")
            {
                continue;
            }
            if (config.Tls is null && !config.TlsVerify)
            {
                return $"refusing to listen on {address} without TLS: configure --tlsverify with --tlscacert, --tlscert and --tlskey, or pass --tls=false explicitly to accept an unencrypted, unauthenticated API";
            }
            if (config.TlsEnabled)
            {
                foreach (var (flag, path) in new[] { ("--tlscert", config.TlsCert), ("--tlskey", config.TlsKey) })
                {
                    if (!File.Exists(path))
                    {
                        return $"could not load TLS material for {address}: {flag} file {path} does not exist";
                    }
                }
                if (config.TlsVerify && !File.Exists(config.TlsCaCert))
                {
                    return $"could not load TLS material for {address}: --tlscacert file {config.TlsCaCert} does not exist";
                }
            }
        }
        return null;
    }

    public static ListenAddress Parse(string host)
    {
        int sep = host.IndexOf("://", StringComparison.Ordinal);
        return sep < 0 ? new ListenAddress("unix", host) : new ListenAddress(host[..sep], host[(sep + 3)..]);
    }

    /// <summary>Prepares a unix socket path: refuses one a live daemon answers on, removes a stale one.</summary>
    public static string? PrepareUnixSocket(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        if (!File.Exists(path) && !Directory.Exists(path))
        {
            return null;
        }
        using (var probe = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified))
        {
            try
            {
                probe.Connect(new UnixDomainSocketEndPoint(path));
                return $"another process is already serving on {path}";
            }
            catch (SocketException)
            {
                // Nobody listens: a leftover of a daemon that was killed. Safe to replace.
            }
        }
        File.Delete(path);
        return null;
    }

    public static void Configure(KestrelServerOptions kestrel, DaemonConfig config, IReadOnlyList<ListenAddress> addresses)
    {
        foreach (var address in addresses)
        {
            switch (address.Scheme)
            {
                case "unix":
                    kestrel.ListenUnixSocket(address.Target, listen => listen.UseUpgradeBodies());
                    break;
                case "tcp":
                    var endpoint = ParseTcp(address.Target);
                    kestrel.Listen(endpoint, listen =>
                    {
                        if (config.TlsEnabled)
                        {
                            listen.UseHttps(HttpsOptions(config));
                        }
                        listen.UseUpgradeBodies(); // after TLS: it reads plaintext
                    });
                    break;
                case "fd":
                    foreach (ulong fd in SystemdFds(address.Target))
                    {
                        kestrel.ListenHandle(fd, listen => listen.UseUpgradeBodies());
                    }
                    break;
                default:
                    throw new InvalidOperationException($"unsupported listener {address}");
            }
        }
    }

    /// <summary>After Kestrel bound the unix sockets: mode 0660, group as configured.</summary>
    public static void SecureUnixSockets(IReadOnlyList<ListenAddress> addresses, int gid)
    {
        foreach (var address in addresses)
        {
            if (address.Scheme != "unix")
            {
                continue;
            }
            File.SetUnixFileMode(address.Target, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite);
            Libc.Chown(address.Target, uint.MaxValue, (uint)gid);
        }
    }

    public static void RemoveUnixSockets(IReadOnlyList<ListenAddress> addresses)
    {
        foreach (var address in addresses)
        {
            if (address.Scheme == "unix")
            {
                File.Delete(address.Target);
            }
        }
    }

    internal static IPEndPoint ParseTcp(string target)
    {
        int colon = target.LastIndexOf(':');
        string host = colon < 0 ? target : target[..colon];
        int port = colon < 0 ? 2376 : int.Parse(target[(colon + 1)..], System.Globalization.CultureInfo.InvariantCulture);
        host = host.Trim('[', ']');
        IPAddress ip = host switch
        {
            "" or "0.0.0.0" => IPAddress.Any,
            "localhost" => IPAddress.Loopback,
            _ => IPAddress.Parse(host),
        };
        return new IPEndPoint(ip, port);
    }

    private static HttpsConnectionAdapterOptions HttpsOptions(DaemonConfig config)
    {
        var options = new HttpsConnectionAdapterOptions
        {
            ServerCertificate = X509Certificate2.CreateFromPemFile(config.TlsCert, config.TlsKey),
            SslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
            ClientCertificateMode = config.TlsVerify ? ClientCertificateMode.RequireCertificate : ClientCertificateMode.NoCertificate,
        };
        if (config.TlsVerify)
        {
            var authorities = new X509Certificate2Collection();
            authorities.ImportFromPemFile(config.TlsCaCert);
            options.ClientCertificateValidation = (certificate, _, _) => IsIssuedBy(certificate, authorities);
        }
        return options;
    }

    /// <summary>Client certificates must chain to --tlscacert alone, never to the system store.</summary>
    internal static bool IsIssuedBy(X509Certificate2 certificate, X509Certificate2Collection authorities)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(authorities);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.VerificationFlags = X509VerificationFlags.NoFlag;
        return chain.Build(certificate);
    }

    /// <summary>Socket-activation fds (LISTEN_FDS from fd 3), all of them or the one named in fd://N.</summary>
    private static IEnumerable<ulong> SystemdFds(string target)
    {
        string? countText = Environment.GetEnvironmentVariable("LISTEN_FDS");
        int count = int.TryParse(countText, out int n) ? n : 0;
        if (count == 0)
        {
            throw new InvalidOperationException("no sockets found via socket activation: make sure the service was started by systemd");
        }
        if (target.Length > 0)
        {
            ulong fd = ulong.Parse(target, System.Globalization.CultureInfo.InvariantCulture);
            if (fd < 3 || fd >= 3 + (ulong)count)
            {
                throw new InvalidOperationException($"too few socket activated files passed in by systemd for fd://{target}");
            }
            yield return fd;
            yield break;
        }
        for (int i = 0; i < count; i++)
        {
            yield return 3 + (ulong)i;
        }
    }
}
