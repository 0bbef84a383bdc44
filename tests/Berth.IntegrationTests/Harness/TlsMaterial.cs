namespace Berth.IntegrationTests.Harness;

/// <summary>
/// Certificates made with openssl for the TLS tests, in a temp dir removed on Dispose:
/// a CA, a server cert for 127.0.0.1/localhost (serverAuth), a client cert from that CA
/// (clientAuth), and a second, untrusted CA with its own client cert that must be refused.
/// Keys are P-256 EC (fast to generate); all files are PEM.
/// </summary>
public sealed class TlsMaterial : IDisposable
{
    private TlsMaterial(string dir)
    {
        Directory = dir;
    }

    public string Directory { get; }

    public string CaCert => Path.Combine(Directory, "ca.pem");

    public string CaKey => Path.Combine(Directory, "ca-key.pem");

    public string ServerCert => Path.Combine(Directory, "server.pem");

    public string ServerKey => Path.Combine(Directory, "server-key.pem");

    public string ClientCert => Path.Combine(Directory, "client.pem");

    public string ClientKey => Path.Combine(Directory, "client-key.pem");

    public string OtherCaCert => Path.Combine(Directory, "other-ca.pem");

    public string OtherCaKey => Path.Combine(Directory, "other-ca-key.pem");

    /// <summary>A client cert signed by the other CA: well-formed, but not trusted by the daemon.</summary>
    public string OtherClientCert => Path.Combine(Directory, "other-client.pem");

    public string OtherClientKey => Path.Combine(Directory, "other-client-key.pem");

    /// <summary>Daemon flags: --tlsverify with this CA and the server pair.</summary>
    public IReadOnlyList<string> DaemonTlsVerifyArgs =>
        ["--tlsverify", "--tlscacert", CaCert, "--tlscert", ServerCert, "--tlskey", ServerKey];

    /// <summary>docker CLI flags with the trusted client pair.</summary>
    public IReadOnlyList<string> ClientArgs =>
        ["--tlsverify", "--tlscacert", CaCert, "--tlscert", ClientCert, "--tlskey", ClientKey];

    public static async Task<TlsMaterial> CreateAsync()
    {
        var material = new TlsMaterial(System.IO.Directory.CreateTempSubdirectory("berth-it-tls-").FullName);
        try
        {
            await material.GenerateAsync();
            return material;
        }
        catch
        {
            material.Dispose();
            throw;
        }
    }

    private async Task GenerateAsync()
    {
        await MakeCaAsync(CaCert, CaKey, "Berth Test CA");
        await MakeLeafAsync("server", ServerCert, ServerKey, "localhost", CaCert, CaKey,
            "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\nkeyUsage=critical,digitalSignature,keyEncipherment\nbasicConstraints=critical,CA:FALSE\n");
        await MakeLeafAsync("client", ClientCert, ClientKey, "berth-test-client", CaCert, CaKey,
            "extendedKeyUsage=clientAuth\nkeyUsage=critical,digitalSignature\nbasicConstraints=critical,CA:FALSE\n");
        await MakeCaAsync(OtherCaCert, OtherCaKey, "Untrusted Test CA");
        await MakeLeafAsync("other-client", OtherClientCert, OtherClientKey, "berth-test-intruder", OtherCaCert, OtherCaKey,
            "extendedKeyUsage=clientAuth\nkeyUsage=critical,digitalSignature\nbasicConstraints=critical,CA:FALSE\n");
    }

    private async Task MakeCaAsync(string cert, string key, string name) =>
        await OpensslAsync(
            "req", "-x509", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
            "-keyout", key, "-out", cert, "-days", "3", "-subj", "/CN=" + name,
            "-addext", "basicConstraints=critical,CA:TRUE",
            "-addext", "keyUsage=critical,keyCertSign,cRLSign");

    private async Task MakeLeafAsync(string stem, string cert, string key, string commonName, string caCert, string caKey, string extensions)
    {
        string csr = Path.Combine(Directory, stem + ".csr");
        string ext = Path.Combine(Directory, stem + ".ext");
        await File.WriteAllTextAsync(ext, extensions);
        await OpensslAsync("req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
            "-keyout", key, "-out", csr, "-subj", "/CN=" + commonName);
        await OpensslAsync("x509", "-req", "-in", csr, "-CA", caCert, "-CAkey", caKey, "-set_serial",
            "0x" + Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(8)),
            "-out", cert, "-days", "3", "-extfile", ext);
    }

    private async Task OpensslAsync(params string[] args)
    {
        var result = await ProcessRunner.RunAsync("openssl", args, workingDirectory: Directory, timeout: TimeSpan.FromSeconds(30));
        result.EnsureSuccess();
    }

    public void Dispose()
    {
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
