using System.Globalization;
using Berth.IntegrationTests.Containers;
using Berth.IntegrationTests.Harness;
using Berth.IntegrationTests.Networking;

namespace Berth.IntegrationTests.Compose;

/// <summary>
/// Debian's docker-compose (v1, docker-py underneath) against berthd: a two-service project on
/// its own network, the client reaching the web service by its service name through the embedded
/// DNS, the web port published on loopback, and `down` taking containers and network away.
/// </summary>
public sealed class ComposeNetworkTests : CliTestBase<NetworkDaemon>, IClassFixture<NetworkDaemon>, IAsyncLifetime
{
    private const string ComposePath = "/usr/bin/docker-compose";
    private const string Page = "hello from compose";
    private readonly string _project = "bit" + Guid.NewGuid().ToString("N")[..8];

    public ComposeNetworkTests(NetworkDaemon daemon, ITestOutputHelper output)
        : base(daemon, output)
    {
        Output = output;
    }

    private ITestOutputHelper Output { get; }

    public Task InitializeAsync() => ContainerTestSupport.EnsureBusyboxAsync(Docker);

    public async Task DisposeAsync()
    {
        if (File.Exists(Path.Combine(ScratchDir, "docker-compose.yml")))
        {
            await ComposeAsync("down", "--timeout", "1");
        }
        await ContainerTestSupport.RemoveAllAndCheckCleanAsync(Daemon, Docker);
    }

    [Fact]
    public async Task UpDown_TwoServicesOnTheirNetwork_ReachEachOtherByServiceName_PortPublished()
    {
        Assert.True(File.Exists(ComposePath), "docker-compose is installed by scripts/install-deps.sh");
        int port = FreePort.Next();
        File.WriteAllText(Path.Combine(ScratchDir, "docker-compose.yml"), $$"""
            version: "2.4"
            services:
              web:
                image: busybox
                command: ["sh", "-c", "mkdir -p /www && echo '{{Page}}' > /www/index.html && exec httpd -f -p 80 -h /www"]
                ports:
                  - "127.0.0.1:{{port.ToString(CultureInfo.InvariantCulture)}}:80"
                networks: [appnet]
              client:
                image: busybox
                command: ["sh", "-c", "echo client-ready; exec sleep 300"]
                networks: [appnet]
            networks:
              appnet: {}
            """);

        (await ComposeAsync("up", "-d")).EnsureSuccess();
        string services = (await ComposeAsync("ps")).EnsureSuccess().Stdout;
        Assert.Contains($"{_project}_web_1", services, StringComparison.Ordinal);
        Assert.Contains($"{_project}_client_1", services, StringComparison.Ordinal);
        Assert.Equal(2, services.Split('\n').Count(l => l.Contains(" Up ", StringComparison.Ordinal)));
        await Poll.UntilAsync(async () => (await ComposeAsync("logs", "--no-color", "client")).Stdout.Contains("client-ready", StringComparison.Ordinal),
            TimeSpan.FromSeconds(10), "compose logs shows the client's line");
        Assert.Equal("inside", (await ComposeAsync("exec", "-T", "client", "echo", "inside")).EnsureSuccess().Stdout.Trim());
        string network = _project + "_appnet";
        Assert.Contains(network, (await Docker.RunOkAsync("network", "ls", "--format", "{{.Name}}")).Split('\n'));
        string running = await Docker.RunOkAsync("ps", "--filter", $"label=com.docker.compose.project={_project}", "--format", "{{.Names}} {{.Ports}}");
        Assert.Contains($"{_project}_web_1 127.0.0.1:{port}->80/tcp", running, StringComparison.Ordinal);
        Assert.Contains($"{_project}_client_1", running, StringComparison.Ordinal);

        // The client finds "web" (compose's service alias) through 127.0.0.11 and gets the page.
        string script = "nslookup web && printf 'GET / HTTP/1.0\\r\\n\\r\\n' | nc -w 5 web 80";
        string fetched = await Poll.ForAsync(
            async () => (await Docker.RunAsync("exec", $"{_project}_client_1", "sh", "-c", script)).Stdout,
            s => s.Contains(Page, StringComparison.Ordinal), TimeSpan.FromSeconds(30), "client fetches http://web/");
        string webIp = (await Docker.RunOkAsync("container", "inspect", "--format",
            $"{{{{(index .NetworkSettings.Networks \"{network}\").IPAddress}}}}", $"{_project}_web_1")).Trim();
        Assert.Contains($"Address: {webIp}", fetched, StringComparison.Ordinal);

        using (var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) })
        {
            Assert.Contains(Page, await http.GetStringAsync(new Uri($"http://127.0.0.1:{port}/")), StringComparison.Ordinal);
        }

        (await ComposeAsync("down", "--timeout", "1")).EnsureSuccess();
        Assert.Equal("", (await Docker.RunOkAsync("ps", "-aq", "--filter", $"label=com.docker.compose.project={_project}")).Trim());
        Assert.DoesNotContain(network, (await Docker.RunOkAsync("network", "ls", "--format", "{{.Name}}")).Split('\n'));
        await Poll.UntilAsync(() => NetworkLeftovers.Links(Daemon.BridgeName, Daemon.ChainPrefix).All(l => l == Daemon.BridgeName),
            TimeSpan.FromSeconds(10), "only the default bridge left", () => string.Join(", ", NetworkLeftovers.Links(Daemon.BridgeName, Daemon.ChainPrefix)));
        Assert.DoesNotContain(NetworkLeftovers.Rules(Daemon.ChainPrefix), r => r.Contains($"--dport {port} ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task UpDown_BuildDependsOnVolumeNetworkAndPort_AllTogether()
    {
        int port = FreePort.Next();
        Directory.CreateDirectory(Path.Combine(ScratchDir, "web"));
        File.WriteAllText(Path.Combine(ScratchDir, "web", "Dockerfile"), "FROM busybox\nCOPY serve.sh /serve.sh\nCMD [\"sh\", \"/serve.sh\"]\n");
        File.WriteAllText(Path.Combine(ScratchDir, "web", "serve.sh"), """
            mkdir -p /www
            until wget -q -O /www/store.txt http://store/; do sleep 0.2; done
            { echo "web sees: $(cat /www/store.txt)"; echo "volume has: $(cat /data/greeting)"; } > /www/index.html
            exec httpd -f -p 8080 -h /www
            """);
        File.WriteAllText(Path.Combine(ScratchDir, "docker-compose.yml"), $$"""
            version: "2.4"
            services:
              store:
                image: busybox
                command: ["sh", "-c", "echo stored > /data/greeting && mkdir -p /www && cp /data/greeting /www/index.html && exec httpd -f -p 80 -h /www"]
                volumes: ["appdata:/data"]
                networks: [appnet]
              web:
                build: ./web
                depends_on: [store]
                ports: ["127.0.0.1:{{port.ToString(CultureInfo.InvariantCulture)}}:8080"]
                volumes: ["appdata:/data:ro"]
                networks: [appnet]
            networks:
              appnet: {}
            volumes:
              appdata: {}
            """);

        (await ComposeAsync("up", "-d", "--build")).EnsureSuccess();
        Assert.Contains(_project + "_appdata", (await Docker.RunOkAsync("volume", "ls", "--format", "{{.Name}}")).Split('\n'));
        string page = await Poll.ForAsync(async () =>
        {
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(3) };
            try
            {
                return await http.GetStringAsync(new Uri($"http://127.0.0.1:{port}/"));
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                return "";
            }
        }, p => p.Contains("volume has", StringComparison.Ordinal), TimeSpan.FromSeconds(60), "web serves what it read from store and the volume", p => p ?? "");
        Assert.Equal("web sees: stored\nvolume has: stored\n", page);

        (await ComposeAsync("down", "-v", "--timeout", "1")).EnsureSuccess();
        Assert.Equal("", (await Docker.RunOkAsync("ps", "-aq", "--filter", $"label=com.docker.compose.project={_project}")).Trim());
        Assert.DoesNotContain(_project + "_appdata", (await Docker.RunOkAsync("volume", "ls", "--format", "{{.Name}}")).Split('\n'));
        await Docker.RunOkAsync("rmi", _project + "_web");
    }

    private async Task<ProcessResult> ComposeAsync(params string[] args)
    {
        var env = new Dictionary<string, string?>(StringComparer.Ordinal)
        {
            ["DOCKER_HOST"] = Daemon.Host,
            ["DOCKER_CONTEXT"] = null,
            ["DOCKER_TLS_VERIFY"] = null,
            ["DOCKER_CERT_PATH"] = null,
            ["COMPOSE_API_VERSION"] = null,
            ["DOCKER_CONFIG"] = Docker.ConfigDir,
            ["COMPOSE_DOCKER_CLI_BUILD"] = "0",
            ["DOCKER_BUILDKIT"] = "0",
        };
        var result = await ProcessRunner.RunAsync(ComposePath, ["--ansi", "never", "-p", _project, .. args], environment: env,
            timeout: TimeSpan.FromSeconds(120), workingDirectory: ScratchDir);
        Output.WriteLine(result.ToString());
        return result;
    }
}
