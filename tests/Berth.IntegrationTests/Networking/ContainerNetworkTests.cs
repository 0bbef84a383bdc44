using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Berth.IntegrationTests.Containers;
using Berth.IntegrationTests.Harness;

namespace Berth.IntegrationTests.Networking;

/// <summary>
/// Containers on networks with the real CLI: addresses, routes, /etc/hosts, reachability between
/// containers (ping by IP), isolation, --internal, ICC off, connect/disconnect on a running
/// container, container:x, inspect shapes, and that nothing of it stays behind.
/// The daemon's /24 is split into /26s: the default bridge takes .0/26, tests use .64, .128, .192.
/// </summary>
public sealed partial class ContainerNetworkTests : CliTestBase<NetworkDaemon>, IClassFixture<NetworkDaemon>, IAsyncLifetime
{
    private static readonly TimeSpan PingWait = TimeSpan.FromSeconds(20);

    public ContainerNetworkTests(NetworkDaemon daemon, ITestOutputHelper output)
        : base(daemon, output)
    {
    }

    private string Stem => Daemon.PoolStem;

    public Task InitializeAsync() => ContainerTestSupport.EnsureBusyboxAsync(Docker);

    public async Task DisposeAsync()
    {
        await ContainerTestSupport.RemoveAllAndCheckCleanAsync(Daemon, Docker);
        foreach (string name in (await Docker.RunOkAsync("network", "ls", "--format", "{{.Name}}")).Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            if (name is not ("bridge" or "host" or "none"))
            {
                await Docker.RunAsync("network", "rm", name);
            }
        }
    }

    [Fact]
    public async Task DefaultBridge_AddressRouteMacHostsAndInspect()
    {
        string output = await Docker.RunOkAsync("run", "--rm", "--hostname", "box1", "busybox", "sh", "-c", "ip -4 addr show eth0; ip route; cat /etc/hosts");
        var address = AddressRegex().Match(output);
        Assert.True(address.Success, output);
        Assert.StartsWith(Stem, address.Groups[1].Value, StringComparison.Ordinal);
        Assert.Equal("26", address.Groups[2].Value);
        Assert.Contains($"default via {Stem}1 dev eth0", output, StringComparison.Ordinal);
        Assert.Contains($"{address.Groups[1].Value}\tbox1\n", output, StringComparison.Ordinal);

        string id = (await Docker.RunOkAsync("run", "-d", "--name", "web1", "busybox", "sleep", "300")).Trim();
        var settings = (await InspectContainerAsync("web1")).GetProperty("NetworkSettings");
        var bridge = settings.GetProperty("Networks").GetProperty("bridge");
        string ip = bridge.GetProperty("IPAddress").GetString()!;
        Assert.Equal(ip, settings.GetProperty("IPAddress").GetString());
        Assert.Equal($"{Stem}1", settings.GetProperty("Gateway").GetString());
        Assert.Equal(26, settings.GetProperty("IPPrefixLen").GetInt32());
        Assert.Equal(MacFor(ip), settings.GetProperty("MacAddress").GetString());
        Assert.Equal(MacFor(ip), bridge.GetProperty("MacAddress").GetString());
        Assert.Equal(settings.GetProperty("EndpointID").GetString(), bridge.GetProperty("EndpointID").GetString());
        Assert.Equal(JsonValueKind.Null, bridge.GetProperty("Aliases").ValueKind);
        string sandbox = settings.GetProperty("SandboxKey").GetString()!;
        Assert.Equal(Path.Combine(Daemon.ExecRoot, "netns", id), sandbox);
        // The interface as the host sees it inside the pinned namespace.
        Assert.Contains($"inet {ip}/26", await InNamespaceAsync(sandbox, "ip", "-o", "-4", "addr", "show", "eth0"), StringComparison.Ordinal);

        var containers = (await InspectNetworkAsync("bridge")).GetProperty("Containers");
        Assert.Equal($"{ip}/26", containers.GetProperty(id).GetProperty("IPv4Address").GetString());
        Assert.Equal("web1", containers.GetProperty(id).GetProperty("Name").GetString());

        // Stop releases the endpoint (dockerd allocates again on start); the network keeps the config.
        await Docker.RunOkAsync("stop", "-t", "1", "web1");
        var stopped = (await InspectContainerAsync("web1")).GetProperty("NetworkSettings");
        Assert.Equal("", stopped.GetProperty("IPAddress").GetString());
        Assert.Equal("", stopped.GetProperty("SandboxKey").GetString());
        Assert.Equal("", stopped.GetProperty("Networks").GetProperty("bridge").GetProperty("EndpointID").GetString());
        Assert.Empty((await InspectNetworkAsync("bridge")).GetProperty("Containers").EnumerateObject());
        Assert.False(File.Exists(sandbox));
        await Docker.RunOkAsync("start", "web1");
        Assert.StartsWith(Stem, (await InspectContainerAsync("web1")).GetProperty("NetworkSettings").GetProperty("IPAddress").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task UserNetwork_PingByIp_StaticIpAliasesAndDnsNames()
    {
        await Docker.RunOkAsync("network", "create", "--subnet", $"{Stem}64/26", "n1");
        string id = (await Docker.RunOkAsync("run", "-d", "--name", "srv", "--network", "n1", "--ip", $"{Stem}100", "--network-alias", "web", "busybox", "sleep", "300")).Trim();
        var n1 = (await InspectContainerAsync("srv")).GetProperty("NetworkSettings").GetProperty("Networks").GetProperty("n1");
        Assert.Equal($"{Stem}100", n1.GetProperty("IPAddress").GetString());
        Assert.Equal($"{Stem}65", n1.GetProperty("Gateway").GetString());
        Assert.Equal($"{Stem}100", n1.GetProperty("IPAMConfig").GetProperty("IPv4Address").GetString());
        Assert.Equal(["web", id[..12]], Strings(n1.GetProperty("Aliases")));
        Assert.Equal(["srv", "web", id[..12]], Strings(n1.GetProperty("DNSNames")));

        await PingAsync("n1", $"{Stem}100", expectReachable: true);
        // The default bridge network is isolated from n1.
        await PingAsync("bridge", $"{Stem}100", expectReachable: false);

        var taken = await Docker.RunAsync("run", "--rm", "--network", "n1", "--ip", $"{Stem}100", "busybox", "true");
        Assert.Contains("Address already in use", taken.Stderr, StringComparison.Ordinal);
        var onDefault = await Docker.RunAsync("create", "--ip", $"{Stem}9", "busybox", "true");
        Assert.Contains("user specified IP address is supported on user defined networks only", onDefault.Stderr, StringComparison.Ordinal);
        var outside = await Docker.RunAsync("create", "--network", "n1", "--ip", "10.1.2.3", "busybox", "true");
        Assert.Contains("no configured subnet or ip-range contain the IP address 10.1.2.3", outside.Stderr, StringComparison.Ordinal);

        var inUse = await Docker.RunAsync("network", "rm", "n1");
        Assert.Contains("has active endpoints", inUse.Stderr, StringComparison.Ordinal);
        await Docker.RunOkAsync("rm", "-f", "srv");
        await Docker.RunOkAsync("network", "rm", "n1");
    }

    [Fact]
    public async Task Isolation_Internal_AndIccOff()
    {
        await Docker.RunOkAsync("network", "create", "--subnet", $"{Stem}64/26", "na");
        await Docker.RunOkAsync("network", "create", "--subnet", $"{Stem}128/26", "nb");
        await Docker.RunOkAsync("network", "create", "--subnet", $"{Stem}192/26", "--internal", "-o", "com.docker.network.bridge.enable_icc=false", "nint");
        await Docker.RunOkAsync("run", "-d", "--name", "ona", "--network", "na", "--ip", $"{Stem}70", "busybox", "sleep", "300");
        await Docker.RunOkAsync("run", "-d", "--name", "onint", "--network", "nint", "--ip", $"{Stem}200", "busybox", "sleep", "300");

        // A container on nb cannot reach na.
        await PingAsync("nb", $"{Stem}70", expectReachable: false);
        await PingAsync("na", $"{Stem}70", expectReachable: true);

        // --internal: no default route, the gateway answers, other host addresses are unreachable.
        string routes = await Docker.RunOkAsync("run", "--rm", "--network", "nint", "busybox", "ip", "route");
        Assert.DoesNotContain("default", routes, StringComparison.Ordinal);
        Assert.Contains($"{Stem}192/26 dev eth0", routes, StringComparison.Ordinal);
        await PingAsync("nint", $"{Stem}193", expectReachable: true);
        await PingAsync("nint", $"{Stem}1", expectReachable: false);
        Assert.Equal("", (await InspectContainerAsync("onint")).GetProperty("NetworkSettings").GetProperty("Networks").GetProperty("nint").GetProperty("Gateway").GetString());
        // ICC off: containers on nint do not reach each other.
        await PingAsync("nint", $"{Stem}200", expectReachable: false);
    }

    [Fact]
    public async Task ConnectDisconnect_RunningContainer_AddsAndRemovesEth1()
    {
        await Docker.RunOkAsync("network", "create", "--subnet", $"{Stem}64/26", "n1");
        string id = (await Docker.RunOkAsync("run", "-d", "--name", "multi", "busybox", "sleep", "300")).Trim();
        string sandbox = (await InspectContainerAsync("multi")).GetProperty("NetworkSettings").GetProperty("SandboxKey").GetString()!;
        long since = DateTimeOffset.UtcNow.ToUnixTimeSeconds();

        await Docker.RunOkAsync("network", "connect", "--ip", $"{Stem}80", "--alias", "second", "n1", "multi");
        string addresses = await InNamespaceAsync(sandbox, "ip", "-o", "-4", "addr");
        Assert.Matches(@$"eth1\s+inet {Regex.Escape(Stem)}80/26", addresses);
        Assert.Contains("eth0", addresses, StringComparison.Ordinal);
        var networks = (await InspectContainerAsync("multi")).GetProperty("NetworkSettings").GetProperty("Networks");
        Assert.Equal(["bridge", "n1"], networks.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
        Assert.Equal($"{Stem}80", networks.GetProperty("n1").GetProperty("IPAddress").GetString());
        Assert.Equal(id, Assert.Single((await InspectNetworkAsync("n1")).GetProperty("Containers").EnumerateObject()).Name);
        Assert.Contains($"{Stem}80\t", await File.ReadAllTextAsync(Path.Combine(Daemon.DataRoot, "containers", id, "hosts")), StringComparison.Ordinal);
        await PingAsync("n1", $"{Stem}80", expectReachable: true);

        var again = await Docker.RunAsync("network", "connect", "n1", "multi");
        Assert.Contains("endpoint with name multi already exists in network n1", again.Stderr, StringComparison.Ordinal);

        await Docker.RunOkAsync("network", "disconnect", "n1", "multi");
        Assert.DoesNotContain("eth1", await InNamespaceAsync(sandbox, "ip", "-o", "link"), StringComparison.Ordinal);
        Assert.Empty((await InspectNetworkAsync("n1")).GetProperty("Containers").EnumerateObject());
        // Disconnecting the gateway network moves nothing else; the default route stays on eth0.
        Assert.Contains($"default via {Stem}1 dev eth0", await InNamespaceAsync(sandbox, "ip", "route"), StringComparison.Ordinal);

        string events = await EventsAsync(since, "type=network");
        Assert.Contains($"connect n1 {id}", events, StringComparison.Ordinal);
        Assert.Contains($"disconnect n1 {id}", events, StringComparison.Ordinal);
        await Docker.RunOkAsync("network", "rm", "n1");
    }

    [Fact]
    public async Task ConnectWhileCreated_BothNetworksAtStart_AndContainerMode()
    {
        await Docker.RunOkAsync("network", "create", "--subnet", $"{Stem}64/26", "n1");
        await Docker.RunOkAsync("create", "--name", "two", "busybox", "sleep", "300");
        await Docker.RunOkAsync("network", "connect", "n1", "two");
        var created = (await InspectContainerAsync("two")).GetProperty("NetworkSettings").GetProperty("Networks");
        Assert.Equal("", created.GetProperty("n1").GetProperty("IPAddress").GetString());
        await Docker.RunOkAsync("start", "two");
        string sandbox = (await InspectContainerAsync("two")).GetProperty("NetworkSettings").GetProperty("SandboxKey").GetString()!;
        string addresses = await InNamespaceAsync(sandbox, "ip", "-o", "-4", "addr");
        Assert.Matches(@$"eth0\s+inet {Regex.Escape(Stem)}\d+/26", addresses);
        Assert.Matches(@$"eth1\s+inet {Regex.Escape(Stem)}6\d/26", addresses);

        // container:two shares two's namespace and sees both interfaces.
        string shared = await Docker.RunOkAsync("run", "--rm", "--network", "container:two", "busybox", "ip", "-4", "addr");
        Assert.Matches(@$"inet {Regex.Escape(Stem)}6\d/26 .*eth1", shared);

        await Docker.RunOkAsync("stop", "-t", "1", "two");
        var refused = await Docker.RunAsync("run", "--rm", "--network", "container:two", "busybox", "true");
        Assert.Contains("cannot join network namespace of a non running container: container two is exited", refused.Stderr, StringComparison.Ordinal);
        await Docker.RunOkAsync("network", "disconnect", "n1", "two");
        Assert.Equal(["bridge"], (await InspectContainerAsync("two")).GetProperty("NetworkSettings").GetProperty("Networks").EnumerateObject().Select(p => p.Name));
        await Docker.RunOkAsync("rm", "two");
        await Docker.RunOkAsync("network", "rm", "n1");
    }

    [Fact]
    public async Task RunWithTwoNetworks_ModeNetworkIsEth0AndCarriesTheRoute_PsFilter()
    {
        await Docker.RunOkAsync("network", "create", "--subnet", $"{Stem}64/26", "front");
        await Docker.RunOkAsync("network", "create", "--subnet", $"{Stem}128/26", "back");
        string id = (await Docker.RunOkAsync("run", "-d", "--name", "both", "--network", "front", "--network", "back", "busybox", "sleep", "300")).Trim();
        string sandbox = (await InspectContainerAsync("both")).GetProperty("NetworkSettings").GetProperty("SandboxKey").GetString()!;
        string addresses = await InNamespaceAsync(sandbox, "ip", "-o", "-4", "addr");
        Assert.Matches(@$"eth0\s+inet {Regex.Escape(Stem)}66/26", addresses);
        Assert.Matches(@$"eth1\s+inet {Regex.Escape(Stem)}130/26", addresses);
        Assert.Contains($"default via {Stem}65 dev eth0", await InNamespaceAsync(sandbox, "ip", "route"), StringComparison.Ordinal);
        Assert.Equal(id[..12], (await Docker.RunOkAsync("ps", "-q", "--filter", "network=back")).Trim());
        Assert.Equal("", (await Docker.RunOkAsync("ps", "-q", "--filter", "network=bridge")).Trim());
        Assert.Contains("back", await Docker.RunOkAsync("ps", "--format", "{{.Networks}}"), StringComparison.Ordinal);

        // The gateway network leaves: the default route moves to the one that stays.
        await Docker.RunOkAsync("network", "disconnect", "front", "both");
        Assert.Contains($"default via {Stem}129 dev eth1", await InNamespaceAsync(sandbox, "ip", "route"), StringComparison.Ordinal);
        await Docker.RunOkAsync("rm", "-f", "both");
        await Docker.RunOkAsync("network", "rm", "front", "back");
    }

    [Fact]
    public async Task AfterEverythingIsRemoved_OnlyTheDefaultBridgeRemains()
    {
        await Docker.RunOkAsync("network", "create", "--subnet", $"{Stem}64/26", "n1");
        await Docker.RunOkAsync("run", "-d", "--name", "left1", "--network", "n1", "busybox", "sleep", "300");
        await Docker.RunOkAsync("network", "connect", "bridge", "left1");
        await Docker.RunOkAsync("rm", "-f", "left1");
        await Docker.RunOkAsync("network", "rm", "n1");
        await ContainerTestSupport.AssertNoLeftoversAsync(Daemon);

        Assert.Equal([Daemon.BridgeName], NetworkLeftovers.Links(Daemon.BridgeName, Daemon.ChainPrefix));
        Assert.Empty(NetworkLeftovers.Namespaces(Daemon.ExecRoot));
        // Addresses and routes of the pool: only the default bridge's.
        string hostAddresses = (await ProcessRunner.RunAsync("ip", ["-o", "-4", "addr"])).EnsureSuccess().Stdout;
        Assert.Equal([$"{Stem}1/26"], Regex.Matches(hostAddresses, @$"inet ({Regex.Escape(Stem)}\d+/\d+)").Select(m => m.Groups[1].Value));
        string routes = (await ProcessRunner.RunAsync("ip", ["-o", "-4", "route"])).EnsureSuccess().Stdout;
        Assert.Equal([$"{Stem}0/26 dev {Daemon.BridgeName}"], routes.Split('\n').Where(l => l.StartsWith(Stem, StringComparison.Ordinal))
            .Select(l => string.Join(' ', l.Split(' ', StringSplitOptions.RemoveEmptyEntries).Take(3))));
        // Rules: the default bridge's only, no other device is named.
        var rules = NetworkLeftovers.Rules(Daemon.ChainPrefix);
        Assert.DoesNotContain(rules, r => r.Contains("br-", StringComparison.Ordinal) || r.Contains("veth", StringComparison.Ordinal));
    }

    private async Task PingAsync(string network, string address, bool expectReachable)
    {
        var result = await Docker.RunWithTimeoutAsync(PingWait, "run", "--rm", "--network", network, "busybox", "ping", "-c", "1", "-W", "2", address);
        Assert.True(expectReachable == result.Succeeded,
            $"ping {address} from {network}: expected {(expectReachable ? "an answer" : "none")}\n{result}");
    }

    private async Task<string> EventsAsync(long since, string filter)
    {
        string until = (DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 1).ToString(CultureInfo.InvariantCulture);
        return await Docker.RunOkAsync("events", "--since", since.ToString(CultureInfo.InvariantCulture), "--until", until, "--filter", filter,
            "--format", "{{.Action}} {{.Actor.Attributes.name}} {{.Actor.Attributes.container}}");
    }

    private static async Task<string> InNamespaceAsync(string sandbox, params string[] command) =>
        (await ProcessRunner.RunAsync("nsenter", ["--net=" + sandbox, .. command])).EnsureSuccess().Stdout;

    private async Task<JsonElement> InspectContainerAsync(string name)
    {
        using var doc = JsonDocument.Parse(await Docker.RunOkAsync("container", "inspect", name));
        return doc.RootElement[0].Clone();
    }

    private async Task<JsonElement> InspectNetworkAsync(string name)
    {
        using var doc = JsonDocument.Parse(await Docker.RunOkAsync("network", "inspect", name));
        return doc.RootElement[0].Clone();
    }

    private static List<string> Strings(JsonElement array) => [.. array.EnumerateArray().Select(e => e.GetString()!)];

    /// <summary>dockerd's endpoint MAC: 02:42 followed by the IPv4 address.</summary>
    private static string MacFor(string ip) =>
        "02:42:" + string.Join(':', ip.Split('.').Select(o => int.Parse(o, CultureInfo.InvariantCulture).ToString("x2", CultureInfo.InvariantCulture)));

    [GeneratedRegex(@"inet (\d+\.\d+\.\d+\.\d+)/(\d+)")]
    private static partial Regex AddressRegex();
}
