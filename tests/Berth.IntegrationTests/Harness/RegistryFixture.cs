using System.Diagnostics;
using System.Net.Http;

namespace Berth.IntegrationTests.Harness;

/// <summary>How a test registry authenticates and serves.</summary>
public sealed class RegistryOptions
{
    /// <summary>htpasswd Basic auth with these users (bcrypt entries written by the fixture).</summary>
    public IReadOnlyDictionary<string, string>? HtpasswdUsers { get; init; }

    /// <summary>Token auth: realm URL, service, issuer and the PEM bundle of the signing certificate.</summary>
    public (string Realm, string Service, string Issuer, string CertBundle)? Token { get; init; }

    /// <summary>Serve HTTPS with this certificate and key (PEM files).</summary>
    public (string Cert, string Key)? Tls { get; init; }
}

/// <summary>
/// Debian's docker-registry (distribution 2.8) on 127.0.0.1:&lt;free port&gt; with its own config
/// file and storage under a temp directory; stopped by pid (SIGTERM, then SIGKILL) and removed on
/// dispose. Use as a class fixture (a subclass per auth setup) or per test.
/// </summary>
public class RegistryFixture : IAsyncLifetime, IAsyncDisposable
{
    public const string Binary = "/usr/bin/docker-registry";

    private readonly RegistryOptions _options;
    private Process? _process;

    public RegistryFixture() : this(new RegistryOptions())
    {
    }

    protected RegistryFixture(RegistryOptions options)
    {
        _options = options;
        Port = FreePort.Next();
        Root = Directory.CreateTempSubdirectory("berth-it-registry-").FullName;
    }

    public int Port { get; }

    public string Root { get; }

    /// <summary>host:port as image references name it.</summary>
    public string Host => $"127.0.0.1:{Port}";

    public string Scheme => _options.Tls is null ? "http" : "https";

    public string Log => File.Exists(LogPath) ? File.ReadAllText(LogPath) : "";

    private string LogPath => Path.Combine(Root, "registry.log");

    public static async Task<RegistryFixture> StartAsync(RegistryOptions options)
    {
        var fixture = new RegistryFixture(options);
        await fixture.InitializeAsync();
        return fixture;
    }

    public virtual async Task InitializeAsync()
    {
        var storage = Path.Combine(Root, "storage");
        Directory.CreateDirectory(storage);
        var config = new List<string>
        {
            "version: 0.1",
            "log:",
            "  level: info",
            "storage:",
            "  filesystem:",
            $"    rootdirectory: {storage}",
            "  delete:",
            "    enabled: true",
            "http:",
            $"  addr: 127.0.0.1:{Port}",
            $"  secret: berth-it-{Port}",
        };
        if (_options.Tls is { } tls)
        {
            config.AddRange(["  tls:", $"    certificate: {tls.Cert}", $"    key: {tls.Key}"]);
        }
        if (_options.HtpasswdUsers is { } users)
        {
            var htpasswd = Path.Combine(Root, "htpasswd");
            await File.WriteAllLinesAsync(htpasswd, users.Select(u => $"{u.Key}:{Bcrypt.Hash(u.Value)}"));
            config.AddRange(["auth:", "  htpasswd:", "    realm: berth-it", $"    path: {htpasswd}"]);
        }
        else if (_options.Token is { } token)
        {
            config.AddRange(["auth:", "  token:", $"    realm: {token.Realm}", $"    service: {token.Service}",
                $"    issuer: {token.Issuer}", $"    rootcertbundle: {token.CertBundle}"]);
        }
        var configPath = Path.Combine(Root, "config.yml");
        await File.WriteAllLinesAsync(configPath, config);

        var start = new ProcessStartInfo(Binary)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("serve");
        start.ArgumentList.Add(configPath);
        _process = Process.Start(start) ?? throw new InvalidOperationException("docker-registry did not start");
        var log = new StreamWriter(LogPath) { AutoFlush = true };
        _process.OutputDataReceived += (_, e) => { if (e.Data is not null) { lock (log) { log.WriteLine(e.Data); } } };
        _process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { lock (log) { log.WriteLine(e.Data); } } };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();

        using var handler = new HttpClientHandler { ServerCertificateCustomValidationCallback = (_, _, _, _) => true };
        using var http = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(2) };
        await Poll.UntilAsync(async () =>
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"docker-registry exited ({_process.ExitCode}):\n{Log}");
            }
            try
            {
                using var response = await http.GetAsync($"{Scheme}://{Host}/v2/");
                return true;
            }
            catch (HttpRequestException)
            {
                return false;
            }
            catch (TaskCanceledException)
            {
                return false;
            }
        }, TimeSpan.FromSeconds(30), "docker-registry answering /v2/");
    }

    public async Task DisposeAsync()
    {
        if (_process is { HasExited: false } p)
        {
            Native.Kill(p.Id, Native.SIGTERM);
            using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            try
            {
                await p.WaitForExitAsync(deadline.Token);
            }
            catch (OperationCanceledException)
            {
                Native.Kill(p.Id, Native.SIGKILL);
                await p.WaitForExitAsync();
            }
        }
        _process?.Dispose();
        _process = null;
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }

    async ValueTask IAsyncDisposable.DisposeAsync()
    {
        await DisposeAsync();
        GC.SuppressFinalize(this);
    }
}
