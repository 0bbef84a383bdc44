using Berth.IntegrationTests.Harness;

namespace Berth.IntegrationTests.Distribution;

/// <summary>
/// A daemon that holds loopback registries to certificate checks (Berth's
/// --registry-loopback-insecure=false; dockerd always skips them on loopback) and reads TLS
/// material from its own certs.d directory.
/// </summary>
public sealed class CertsDirDaemon : BerthDaemon
{
    public CertsDirDaemon() : this(Directory.CreateTempSubdirectory("berth-it-certsd-").FullName)
    {
    }

    private CertsDirDaemon(string certsDir)
        : base(new BerthDaemonOptions { ExtraArgs = ["--registry-certs-dir", certsDir, "--registry-loopback-insecure=false"] })
    {
        CertsDir = certsDir;
    }

    public string CertsDir { get; }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        Directory.Delete(CertsDir, recursive: true);
    }
}

/// <summary>A registry serving HTTPS with a certificate from a CA made for the test.</summary>
public sealed class TlsRegistry : IAsyncLifetime
{
    public TlsMaterial Tls { get; private set; } = null!;

    public RegistryFixture Registry { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Tls = await TlsMaterial.CreateAsync();
        Registry = await RegistryFixture.StartAsync(new RegistryOptions { Tls = (Tls.ServerCert, Tls.ServerKey) });
    }

    public async Task DisposeAsync()
    {
        await Registry.DisposeAsync();
        Tls.Dispose();
    }
}

public sealed class RegistryTlsTests(CertsDirDaemon daemon, TlsRegistry setup, ITestOutputHelper output)
    : CliTestBase<CertsDirDaemon>(daemon, output), IClassFixture<CertsDirDaemon>, IClassFixture<TlsRegistry>
{
    [Fact]
    public async Task TheCaInCertsDirMakesTlsWorkAndItsAbsenceIsACertificateError()
    {
        var host = setup.Registry.Host;
        var name = $"{host}/x/secure:1";
        await RegistryTestKit.ImportBusyboxAsync(Docker, ScratchDir, name);

        var untrusted = await Docker.RunAsync("push", name);
        Assert.NotEqual(0, untrusted.ExitCode);
        Assert.Contains($"Get \"https://{host}/v2/\": tls: failed to verify certificate: x509: certificate signed by unknown authority",
            untrusted.Stdout + untrusted.Stderr);
        var pullUntrusted = await Docker.RunAsync("pull", name);
        Assert.Contains("x509: certificate signed by unknown authority", pullUntrusted.Stderr);

        var dir = Path.Combine(Daemon.CertsDir, host);
        Directory.CreateDirectory(dir);
        File.Copy(setup.Tls.CaCert, Path.Combine(dir, "ca.crt"));
        var push = await Docker.RunOkAsync("push", name);
        var digest = RegistryTestKit.PushedDigest(push);
        await Docker.RunOkAsync("rmi", name);
        var pull = await Docker.RunOkAsync("pull", name);
        Assert.Contains($"Digest: {digest}", pull);
    }
}
