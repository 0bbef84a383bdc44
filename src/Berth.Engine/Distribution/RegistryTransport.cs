using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;

namespace Berth.Engine.Distribution;

/// <summary>
/// The HTTP handler for one endpoint, with dockerd's TLS rules (registry.newTLSConfig): the system
/// roots plus every <c>*.crt</c> in <c>&lt;certs-dir&gt;/&lt;host&gt;/</c>, a client certificate from each
/// <c>*.cert</c>/<c>*.key</c> pair there, and no verification at all for insecure registries.
/// Also turns .NET's transport exceptions into the Go texts users know from dockerd.
/// </summary>
public sealed class RegistryTransport : IDisposable
{
    private readonly X509Certificate2Collection _roots = [];
    private readonly X509Certificate2Collection _clientCerts = [];
    private string? _certificateError;

    public RegistryTransport(RegistryEndpoint endpoint, string certsDir)
    {
        Endpoint = endpoint;
        var dir = Path.Combine(certsDir, endpoint.Host);
        if (endpoint.IsTls && Directory.Exists(dir))
        {
            LoadCertificates(dir);
        }
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = true,
            AutomaticDecompression = DecompressionMethods.None,
            ConnectTimeout = TimeSpan.FromSeconds(30),
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(90),
            UseCookies = false,
            UseProxy = true,
            SslOptions = new SslClientAuthenticationOptions
            {
                RemoteCertificateValidationCallback = Validate,
                ClientCertificates = _clientCerts,
                LocalCertificateSelectionCallback = (_, _, _, _, _) => _clientCerts.Count > 0 ? _clientCerts[0] : null!,
            },
        };
        Client = new HttpClient(handler, disposeHandler: true) { Timeout = Timeout.InfiniteTimeSpan };
        Client.DefaultRequestHeaders.UserAgent.ParseAdd("docker/28.2.2 go/go1.24 berth/" + SystemInfo.BuildInfo.Version);
    }

    public RegistryEndpoint Endpoint { get; }

    public HttpClient Client { get; }

    private void LoadCertificates(string dir)
    {
        foreach (var file in Directory.EnumerateFiles(dir).Order(StringComparer.Ordinal))
        {
            var name = Path.GetFileName(file);
            if (name.EndsWith(".crt", StringComparison.Ordinal))
            {
                _roots.ImportFromPemFile(file);
            }
            else if (name.EndsWith(".cert", StringComparison.Ordinal))
            {
                var key = Path.Combine(dir, name[..^5] + ".key");
                if (!File.Exists(key))
                {
                    throw Errors.DaemonException.InvalidParameter($"missing key {name[..^5]}.key for client certificate {name}. CA certificates must use the extension .crt");
                }
                using var pem = X509Certificate2.CreateFromPemFile(file, key);
                // SslStream wants a certificate whose key is not ephemeral.
                _clientCerts.Add(X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null));
            }
        }
    }

    private bool Validate(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        if (Endpoint.SkipVerify || errors == SslPolicyErrors.None)
        {
            return true;
        }
        if ((errors & SslPolicyErrors.RemoteCertificateNameMismatch) != 0 && certificate is not null)
        {
            using var cert = new X509Certificate2(certificate);
            _certificateError = $"x509: certificate is valid for {string.Join(", ", cert.GetNameInfo(X509NameType.DnsName, false))}, not {HostOnly()}";
            return false;
        }
        if (errors == SslPolicyErrors.RemoteCertificateChainErrors && certificate is not null && _roots.Count > 0)
        {
            using var custom = new X509Chain();
            custom.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            custom.ChainPolicy.CustomTrustStore.AddRange(_roots);
            custom.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            if (chain is not null)
            {
                custom.ChainPolicy.ExtraStore.AddRange(chain.ChainPolicy.ExtraStore);
            }
            using var cert = new X509Certificate2(certificate);
            if (custom.Build(cert))
            {
                return true;
            }
        }
        _certificateError = certificate is null ? "remote error: tls: no certificate" : "x509: certificate signed by unknown authority";
        return false;
    }

    private string HostOnly()
    {
        var host = Endpoint.BaseUri.Host;
        return host.Trim('[', ']');
    }

    /// <summary>Go's url.Error text for a request that got no HTTP answer.</summary>
    public RegistryTransportException Translate(HttpMethod method, Uri url, Exception e)
    {
        string op = Op(method);
        string detail = Describe(e, out bool tls);
        return new RegistryTransportException($"{op} \"{url}\": {detail}", tls, e);
    }

    public static string Op(HttpMethod method) => method.Method[..1] + method.Method[1..].ToLowerInvariant();

    private string Describe(Exception e, out bool tls)
    {
        tls = false;
        for (Exception? x = e; x is not null; x = x.InnerException)
        {
            switch (x)
            {
                case AuthenticationException:
                    tls = true;
                    if (_certificateError is { } certError)
                    {
                        return "tls: failed to verify certificate: " + certError;
                    }
                    return Endpoint.IsTls ? "http: server gave HTTP response to HTTPS client" : "tls: handshake failure";
                case SocketException s:
                    string addr = Endpoint.BaseUri.Authority;
                    if (!addr.Contains(':', StringComparison.Ordinal))
                    {
                        addr += Endpoint.IsTls ? ":443" : ":80";
                    }
                    return s.SocketErrorCode switch
                    {
                        SocketError.ConnectionRefused => $"dial tcp {addr}: connect: connection refused",
                        SocketError.HostNotFound or SocketError.NoData or SocketError.TryAgain => $"dial tcp: lookup {Endpoint.BaseUri.Host}: no such host",
                        SocketError.TimedOut => $"dial tcp {addr}: i/o timeout",
                        SocketError.ConnectionReset => "read: connection reset by peer",
                        SocketError.NetworkUnreachable => $"dial tcp {addr}: connect: network is unreachable",
                        _ => $"dial tcp {addr}: {s.Message}",
                    };
                case TimeoutException or TaskCanceledException when x.InnerException is TimeoutException:
                    return $"dial tcp {Endpoint.BaseUri.Authority}: i/o timeout";
            }
        }
        if (e is HttpRequestException && Endpoint.IsTls && e.InnerException is IOException)
        {
            tls = true;
            return "http: server gave HTTP response to HTTPS client";
        }
        return e.Message;
    }

    public void Dispose()
    {
        Client.Dispose();
        foreach (var cert in _clientCerts)
        {
            cert.Dispose();
        }
        foreach (var cert in _roots)
        {
            cert.Dispose();
        }
    }
}
