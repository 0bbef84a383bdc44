using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Berth.IntegrationTests.Containers;
using Berth.IntegrationTests.Harness;

namespace Berth.IntegrationTests.Networking;

/// <summary>
/// Published ports with the real CLI: busybox httpd reached from the test over 127.0.0.1 (DNAT in
/// the daemon's own nat chain, route_localnet), -P and random ports from the kernel's ephemeral
/// range, ranges, inspect/ps/`docker port` shapes, dockerd's conflict texts, hairpin from another
/// container, and that stop takes the rules away and frees the port. Traffic: loopback and the
/// daemon's own bridge only.
/// </summary>
public sealed class PortPublishingTests : CliTestBase<NetworkDaemon>, IClassFixture<NetworkDaemon>, IAsyncLifetime
{
    private const string Page = "hello from berth";
    private static readonly TimeSpan HttpWait = TimeSpan.FromSeconds(30);

    public PortPublishingTests(NetworkDaemon daemon, ITestOutputHelper output)
        : base(daemon, output)
    {
    }

    public Task InitializeAsync() => ContainerTestSupport.EnsureBusyboxAsync(Docker);

    public async Task DisposeAsync()
    {
        await ContainerTestSupport.RemoveAllAndCheckCleanAsync(Daemon, Docker);
        Assert.DoesNotContain(NetworkLeftovers.Rules(Daemon.ChainPrefix), r => r.Contains("DNAT", StringComparison.Ordinal));
    }

    /// <summary>busybox httpd serving <see cref="Page"/> from /www on port 80.</summary>
    private static string[] Httpd => ["busybox", "sh", "-c", $"mkdir -p /www && echo '{Page}' > /www/index.html && exec httpd -f -p 80 -h /www"];

    [Fact]
    public async Task LoopbackPort_ServesThePage_ShowsEverywhere_AndStopRemovesRulesAndFreesThePort()
    {
        int port = FreePort.Next();
        string id = (await Docker.RunOkAsync(["run", "-d", "--name", "web", "-p", $"127.0.0.1:{port}:80", .. Httpd])).Trim();
        await AssertServesAsync($"http://127.0.0.1:{port}/");

        var ports = (await InspectAsync("web")).GetProperty("NetworkSettings").GetProperty("Ports");
        var binding = Assert.Single(ports.GetProperty("80/tcp").EnumerateArray());
        Assert.Equal("127.0.0.1", binding.GetProperty("HostIp").GetString());
        Assert.Equal(port.ToString(System.Globalization.CultureInfo.InvariantCulture), binding.GetProperty("HostPort").GetString());
        Assert.Equal($"80/tcp -> 127.0.0.1:{port}", (await Docker.RunOkAsync("port", "web")).Trim());
        Assert.Equal($"127.0.0.1:{port}->80/tcp", (await Docker.RunOkAsync("ps", "--filter", "name=web", "--format", "{{.Ports}}")).Trim());
        string ip = (await InspectAsync("web")).GetProperty("NetworkSettings").GetProperty("IPAddress").GetString()!;
        Assert.Contains(NetworkLeftovers.Rules(Daemon.ChainPrefix),
            r => r == $"-A {Daemon.ChainPrefix} -d 127.0.0.1/32 -p tcp -m tcp --dport {port} -j DNAT --to-destination {ip}:80");
        // The port is held by berthd: nobody else can listen on it meanwhile.
        Assert.Throws<SocketException>(() => Listen(IPAddress.Loopback, port).Dispose());

        await Docker.RunOkAsync("stop", "-t", "1", "web");
        Assert.DoesNotContain(NetworkLeftovers.Rules(Daemon.ChainPrefix), r => r.Contains($"--dport {port} ", StringComparison.Ordinal));
        Assert.Empty((await InspectAsync("web")).GetProperty("NetworkSettings").GetProperty("Ports").EnumerateObject());
        Listen(IPAddress.Loopback, port).Dispose();

        // Started again: the same binding comes back.
        await Docker.RunOkAsync("start", "web");
        await AssertServesAsync($"http://127.0.0.1:{port}/");
        await Docker.RunOkAsync("rm", "-f", id);
    }

    [Fact]
    public async Task PublishAll_AndBareContainerPort_GetEphemeralPorts_ReachableViaLoopbackAndGateway()
    {
        await Docker.RunOkAsync(["run", "-d", "--name", "all", "-P", "--expose", "80", "--expose", "81/udp", .. Httpd]);
        string shown = (await Docker.RunOkAsync("port", "all", "80")).Trim();
        Assert.StartsWith("0.0.0.0:", shown, StringComparison.Ordinal);
        int port = int.Parse(shown["0.0.0.0:".Length..], System.Globalization.CultureInfo.InvariantCulture);
        string[] range = File.ReadAllText("/proc/sys/net/ipv4/ip_local_port_range").Split(['\t', ' ', '\n'], StringSplitOptions.RemoveEmptyEntries);
        Assert.InRange(port, int.Parse(range[0], System.Globalization.CultureInfo.InvariantCulture), int.Parse(range[1], System.Globalization.CultureInfo.InvariantCulture));
        Assert.StartsWith("0.0.0.0:", (await Docker.RunOkAsync("port", "all", "81/udp")).Trim(), StringComparison.Ordinal);
        // 0.0.0.0 covers 127.0.0.1 (route_localnet + masquerade) and the bridge gateway address.
        await AssertServesAsync($"http://127.0.0.1:{port}/");
        var settings = (await InspectAsync("all")).GetProperty("NetworkSettings");
        string gateway = settings.GetProperty("Gateway").GetString()!;
        await AssertServesAsync($"http://{gateway}:{port}/");
        // Hairpin: another container reaches it through the host's address.
        // (busybox wget crashes in Debian's static build; nc speaks HTTP/1.0 well enough.)
        string fetched = await Docker.RunOkAsync("run", "--rm", "busybox", "sh", "-c", $"printf 'GET / HTTP/1.0\\r\\n\\r\\n' | nc -w 5 {gateway} {port}");
        Assert.Contains(Page, fetched, StringComparison.Ordinal);

        await Docker.RunOkAsync(["run", "-d", "--name", "bare", "-p", "80", .. Httpd]);
        Assert.Matches(@"^0\.0\.0\.0:\d+$", (await Docker.RunOkAsync("port", "bare", "80/tcp")).Trim());
        string psPorts = (await Docker.RunOkAsync("ps", "--filter", "name=all", "--format", "{{.Ports}}")).Trim();
        Assert.Contains($"0.0.0.0:{port}->80/tcp", psPorts, StringComparison.Ordinal);
        Assert.Contains("->81/udp", psPorts, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ranges_OneToOne_AndPickOne()
    {
        int a = FreeRange(3);
        await Docker.RunOkAsync("run", "-d", "--name", "three", "-p", $"127.0.0.1:{a}-{a + 2}:80-82", "busybox", "sleep", "300");
        string ports = await Docker.RunOkAsync("port", "three");
        for (int i = 0; i < 3; i++)
        {
            Assert.Contains($"{80 + i}/tcp -> 127.0.0.1:{a + i}", ports, StringComparison.Ordinal);
        }
        int b = FreeRange(11);
        using (Listen(IPAddress.Loopback, b))
        {
            // b is held by someone else: the range moves on to the next free port.
            await Docker.RunOkAsync(["run", "-d", "--name", "pick", "-p", $"127.0.0.1:{b}-{b + 10}:80", .. Httpd]);
        }
        string picked = (await Docker.RunOkAsync("port", "pick", "80")).Trim();
        int chosen = int.Parse(picked["127.0.0.1:".Length..], System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(chosen, b + 1, b + 10);
        await AssertServesAsync($"http://127.0.0.1:{chosen}/");
    }

    [Fact]
    public async Task Conflicts_GiveDockerdsErrors_AndLeaveTheContainerCreated()
    {
        int port = FreePort.Next();
        await Docker.RunOkAsync("run", "-d", "--name", "first", "-p", $"127.0.0.1:{port}:80", "busybox", "sleep", "300");
        var second = await Docker.RunAsync("run", "-d", "--name", "second", "-p", $"127.0.0.1:{port}:80", "busybox", "sleep", "300");
        Assert.False(second.Succeeded);
        string endpoint = (await InspectAsync("second")).GetProperty("NetworkSettings").GetProperty("Networks").GetProperty("bridge").GetProperty("EndpointID").GetString()!;
        Assert.Equal("", endpoint); // released again
        Assert.Matches($@"driver failed programming external connectivity on endpoint second \([0-9a-f]{{64}}\): Bind for 127\.0\.0\.1:{port} failed: port is already allocated", second.Stderr);
        Assert.Equal("created", (await InspectAsync("second")).GetProperty("State").GetProperty("Status").GetString());

        int taken = FreePort.Next();
        using (Listen(IPAddress.Loopback, taken))
        {
            var third = await Docker.RunAsync("run", "-d", "--name", "third", "-p", $"127.0.0.1:{taken}:80", "busybox", "sleep", "300");
            Assert.Matches($@"driver failed programming external connectivity on endpoint third \([0-9a-f]{{64}}\): failed to bind host port for 127\.0\.0\.1:{taken}:[0-9.]+:80/tcp: address already in use", third.Stderr);
        }
        Assert.DoesNotContain(NetworkLeftovers.Rules(Daemon.ChainPrefix), r => r.Contains($"--dport {taken} ", StringComparison.Ordinal));

        // Bad specs are refused at create with dockerd's 400 (the CLI validates -p itself, so raw API).
        using var http = Daemon.Http();
        var bad = await http.PostJsonAsync("/containers/create", """{"Image":"busybox","Cmd":["true"],"ExposedPorts":{"80/tcp":{}},"HostConfig":{"PortBindings":{"80/tcp":[{"HostIp":"","HostPort":"99999"}]}}}""");
        Assert.Equal(400, bad.StatusCode);
        Assert.Equal("invalid port specification: \"99999\"", bad.Json().GetProperty("message").GetString());
        var hostMode = await http.PostJsonAsync("/containers/create", """{"Image":"busybox","Cmd":["true"],"HostConfig":{"NetworkMode":"host","PortBindings":{"80/tcp":[{"HostPort":"8080"}]}}}""");
        Assert.True(hostMode.StatusCode == 201, hostMode.ToString());
        Assert.Equal(["Published ports are discarded when using host network mode"], hostMode.Json().GetProperty("Warnings").EnumerateArray().Select(w => w.GetString()));
    }

    [Fact]
    public async Task RulesComeBack_AfterTheDaemonIsKilledAndRestarted()
    {
        int port = FreePort.Next();
        await Docker.RunOkAsync(["run", "-d", "--name", "survivor", "-p", $"127.0.0.1:{port}:80", .. Httpd]);
        await AssertServesAsync($"http://127.0.0.1:{port}/");
        Daemon.KillHard();
        await Daemon.WaitForExitAsync(TimeSpan.FromSeconds(10));
        // The rules stay while no daemon runs (as dockerd's); the port is no longer held.
        await Daemon.RestartAsync();
        await AssertServesAsync($"http://127.0.0.1:{port}/");
        Assert.Throws<SocketException>(() => Listen(IPAddress.Loopback, port).Dispose());
        Assert.Equal($"80/tcp -> 127.0.0.1:{port}", (await Docker.RunOkAsync("port", "survivor")).Trim());
    }

    private static async Task AssertServesAsync(string url)
    {
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(3) };
        string body = await Poll.ForAsync(async () =>
        {
            try
            {
                return await client.GetStringAsync(new Uri(url));
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                return "";
            }
        }, b => b.Contains(Page, StringComparison.Ordinal), HttpWait, $"GET {url}");
        Assert.Contains(Page, body, StringComparison.Ordinal);
    }

    private async Task<JsonElement> InspectAsync(string name)
    {
        using var doc = JsonDocument.Parse(await Docker.RunOkAsync("container", "inspect", name));
        return doc.RootElement[0].Clone();
    }

    private static TcpListener Listen(IPAddress address, int port)
    {
        var listener = new TcpListener(address, port);
        listener.Start();
        return listener;
    }

    /// <summary>count consecutive ports free on loopback right now, away from the ephemeral range.</summary>
    private static int FreeRange(int count)
    {
        for (int attempt = 0; attempt < 100; attempt++)
        {
            int start = Random.Shared.Next(20000, 30000 - count);
            var held = new List<TcpListener>();
            try
            {
                for (int p = start; p < start + count; p++)
                {
                    held.Add(Listen(IPAddress.Loopback, p));
                }
                return start;
            }
            catch (SocketException)
            {
            }
            finally
            {
                held.ForEach(l => l.Stop());
            }
        }
        throw new InvalidOperationException($"no {count} consecutive free ports found");
    }
}
