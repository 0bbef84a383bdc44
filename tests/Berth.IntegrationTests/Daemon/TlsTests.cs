using Berth.IntegrationTests.Harness;

namespace Berth.IntegrationTests.Daemon;

/// <summary>openssl-made certificates plus one daemon on unix:// and tcp:// with --tlsverify.</summary>
public sealed class TlsDaemonFixture : IAsyncLifetime
{
    public TlsMaterial Tls { get; private set; } = null!;

    public BerthDaemon Daemon { get; private set; } = null!;

    public int Port { get; } = FreePort.Next();

    public string TcpHost => $"tcp://127.0.0.1:{Port}";

    public async Task InitializeAsync()
    {
        Tls = await TlsMaterial.CreateAsync();
        Daemon = BerthDaemon.Create(new BerthDaemonOptions { ExtraArgs = ["--host", TcpHost, .. Tls.DaemonTlsVerifyArgs] });
        await Daemon.StartAsync();
    }

    public async Task DisposeAsync()
    {
        if (Daemon is not null)
        {
            await Daemon.DisposeAsync();
        }
        Tls?.Dispose();
    }
}

/// <summary>TLS on tcp://: mutual auth with the configured CA only.</summary>
public sealed class TlsTests : IClassFixture<TlsDaemonFixture>, IDisposable
{
    private const string TlsFailure = @"(?i)tls|certificate|x509|handshake|EOF|connection reset";

    private readonly TlsDaemonFixture _fixture;
    private readonly DockerCli _docker;
    private readonly IDisposable _log;

    public TlsTests(TlsDaemonFixture fixture, ITestOutputHelper output)
    {
        _fixture = fixture;
        _log = fixture.Daemon.LogTo(output);
        _docker = new DockerCli(host: null, output);
    }

    public void Dispose()
    {
        _docker.Dispose();
        _log.Dispose();
    }

    [Fact]
    public async Task ClientCertFromTrustedCa_IsAccepted()
    {
        var tls = _fixture.Tls;
        var r = await _docker.RunAsync("--tlsverify", "--tlscacert", tls.CaCert, "--tlscert", tls.ClientCert, "--tlskey", tls.ClientKey,
            "-H", _fixture.TcpHost, "version", "--format", "{{.Server.Version}}");

        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal(await BerthDaemon.GetBinaryVersionAsync(), r.Stdout.Trim());
    }

    [Fact]
    public async Task NoClientCert_IsRefused()
    {
        var r = await _docker.RunWithTimeoutAsync(TimeSpan.FromSeconds(30),
            "--tlsverify", "--tlscacert", _fixture.Tls.CaCert, "-H", _fixture.TcpHost, "version", "--format", "{{.Server.Version}}");

        Assert.True(r.ExitCode != 0 && !r.TimedOut, r.ToString());
        Assert.Equal("", r.Stdout.Trim());
        Assert.Matches(TlsFailure, r.Stderr);
    }

    [Fact]
    public async Task ClientCertFromOtherCa_IsRefused()
    {
        var tls = _fixture.Tls;
        var r = await _docker.RunWithTimeoutAsync(TimeSpan.FromSeconds(30),
            "--tlsverify", "--tlscacert", tls.CaCert, "--tlscert", tls.OtherClientCert, "--tlskey", tls.OtherClientKey,
            "-H", _fixture.TcpHost, "version", "--format", "{{.Server.Version}}");

        Assert.True(r.ExitCode != 0 && !r.TimedOut, r.ToString());
        Assert.Equal("", r.Stdout.Trim());
        Assert.Matches(TlsFailure, r.Stderr);
    }

    [Fact]
    public async Task PlainHttpToTlsPort_IsRefused()
    {
        var r = await _docker.RunWithTimeoutAsync(TimeSpan.FromSeconds(30), "-H", _fixture.TcpHost, "version", "--format", "{{.Server.Version}}");

        Assert.True(r.ExitCode != 0 && !r.TimedOut, r.ToString());
        Assert.Equal("", r.Stdout.Trim());
    }

    [Fact]
    public async Task UnixSocket_StillServesWithoutTls()
    {
        using var cli = _fixture.Daemon.Cli();
        var r = await cli.RunAsync("version", "--format", "{{.Server.APIVersion}}");
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal("1.44", r.Stdout.Trim());
    }
}

/// <summary>tcp:// without TLS: refused unless --tls=false is explicit.</summary>
public sealed class TcpWithoutTlsTests(ITestOutputHelper output)
{
    [Fact]
    public async Task TcpWithoutTlsFlags_RefusesToStart()
    {
        await using var daemon = BerthDaemon.Create(new BerthDaemonOptions { ExtraArgs = ["--host", $"tcp://127.0.0.1:{FreePort.Next()}"] }, output);

        var exit = await daemon.RunToExitAsync(TimeSpan.FromSeconds(30));

        Assert.True(exit.ExitCode != 0, exit.ToString());
        Assert.True(exit.Elapsed < TimeSpan.FromSeconds(20), $"took {exit.Elapsed}: {exit}");
        Assert.Contains("TLS", exit.Stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(daemon.SocketPath), "the unix socket must not be left behind");
    }

    [Fact]
    public async Task TcpWithExplicitTlsFalse_StartsWithWarningAndServesPlainHttp()
    {
        string tcp = $"tcp://127.0.0.1:{FreePort.Next()}";
        await using var daemon = await BerthDaemon.StartNewAsync(output, new BerthDaemonOptions { ExtraArgs = ["--host", tcp, "--tls=false"] });
        using var docker = new DockerCli(tcp, output);

        var r = await docker.RunAsync("version", "--format", "{{.Server.APIVersion}}");

        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal("1.44", r.Stdout.Trim());
        Assert.Matches(@"level=warn(ing)?\b.*TLS", daemon.Stderr);
    }
}
