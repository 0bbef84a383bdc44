using System.Text.Json;
using Berth.IntegrationTests.Harness;

namespace Berth.IntegrationTests.Networking;

/// <summary>A daemon whose /24 pool is split into /26s, so user networks fit in its own range.</summary>
public sealed class NetworkDaemon : BerthDaemon
{
    public NetworkDaemon()
        : base(new BerthDaemonOptions { AddressPoolSize = 26 })
    {
    }

    /// <summary>"10.a.b." of the daemon's pool, for subnets inside it.</summary>
    public string PoolStem => AddressPool[..(AddressPool.LastIndexOf('.') + 1)];
}

/// <summary>docker network ls/create/inspect/rm/prune against berthd, checked on the host.</summary>
public sealed class NetworkCliTests : CliTestBase<NetworkDaemon>, IClassFixture<NetworkDaemon>
{
    public NetworkCliTests(NetworkDaemon daemon, ITestOutputHelper output)
        : base(daemon, output)
    {
    }

    [Fact]
    public async Task Ls_ShowsPredefined_AndDefaultBridgeDeviceHasGateway()
    {
        var names = (await Docker.RunOkAsync("network", "ls", "--format", "{{.Name}} {{.Driver}} {{.Scope}}")).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains("bridge bridge local", names);
        Assert.Contains("host host local", names);
        Assert.Contains("none null local", names);

        var bridge = await InspectAsync("bridge");
        var config = bridge.GetProperty("IPAM").GetProperty("Config")[0];
        Assert.Equal($"{Daemon.PoolStem}0/26", config.GetProperty("Subnet").GetString());
        Assert.Equal($"{Daemon.PoolStem}1", config.GetProperty("Gateway").GetString());
        Assert.Equal(Daemon.BridgeName, bridge.GetProperty("Options").GetProperty("com.docker.network.bridge.name").GetString());
        // The default bridge and its rules are reconciled in the background once the API answers.
        string masquerade = $"-s {Daemon.PoolStem}0/26 ! -o {Daemon.BridgeName} -j MASQUERADE";
        await Poll.UntilAsync(async () => (await HostNet.IptablesSaveAsync()).Contains(masquerade, StringComparison.Ordinal),
            TimeSpan.FromSeconds(10), "default bridge rules applied");
        Assert.Equal([$"{Daemon.PoolStem}1/26"], await HostNet.Ipv4AddressesAsync(Daemon.BridgeName));
    }

    [Fact]
    public async Task CreateInspectRemove_ManagesDeviceAndRules()
    {
        string subnet = $"{Daemon.PoolStem}128/26";
        string id = (await Docker.RunOkAsync("network", "create", "--subnet", subnet, "--label", "k=v", "n1")).Trim();
        string device = "br-" + id[..12];
        try
        {
            var n = await InspectAsync("n1");
            Assert.Equal(id, n.GetProperty("Id").GetString());
            Assert.Equal("local", n.GetProperty("Scope").GetString());
            Assert.Equal("default", n.GetProperty("IPAM").GetProperty("Driver").GetString());
            Assert.Equal(subnet, n.GetProperty("IPAM").GetProperty("Config")[0].GetProperty("Subnet").GetString());
            Assert.Equal($"{Daemon.PoolStem}129", n.GetProperty("IPAM").GetProperty("Config")[0].GetProperty("Gateway").GetString());
            Assert.Equal("v", n.GetProperty("Labels").GetProperty("k").GetString());
            Assert.Equal(JsonValueKind.Object, n.GetProperty("Containers").ValueKind);
            Assert.Equal([$"{Daemon.PoolStem}129/26"], await HostNet.Ipv4AddressesAsync(device));
            Assert.Contains($"-s {subnet} ! -o {device} -j MASQUERADE", await HostNet.IptablesSaveAsync());

            var duplicate = await Docker.RunAsync("network", "create", "n1");
            Assert.False(duplicate.Succeeded);
            Assert.Contains("network with name n1 already exists", duplicate.Stderr);
            var overlap = await Docker.RunAsync("network", "create", "--subnet", subnet, "n1b");
            Assert.Contains("Pool overlaps with other one on this address space", overlap.Stderr);

            Assert.Equal(id, (await Docker.RunOkAsync("network", "ls", "-q", "--no-trunc", "--filter", "label=k=v")).Trim());
            // The CLI echoes the reference it was given.
            Assert.Equal(id[..8], (await Docker.RunOkAsync("network", "rm", id[..8])).Trim());
            Assert.Null(await HostNet.LinkAsync(device));
            Assert.DoesNotContain(device, await HostNet.IptablesSaveAsync());
        }
        finally
        {
            await Docker.RunAsync("network", "rm", "n1");
        }
    }

    [Fact]
    public async Task PredefinedNetworks_CannotBeRemovedOrCreated()
    {
        var rm = await Docker.RunAsync("network", "rm", "bridge");
        Assert.Contains("bridge is a pre-defined network and cannot be removed", rm.Stderr);
        var create = await Docker.RunAsync("network", "create", "host");
        Assert.Contains("host is a pre-defined network and cannot be created", create.Stderr);
        var driver = await Docker.RunAsync("network", "create", "-d", "weave", "w1");
        Assert.Contains("plugin \"weave\" not found", driver.Stderr);
    }

    [Fact]
    public async Task Internal_HasNoMasquerade_AndDropsTrafficLeavingTheSubnet()
    {
        string subnet = $"{Daemon.PoolStem}192/27";
        string id = (await Docker.RunOkAsync("network", "create", "--internal", "--subnet", subnet, "int1")).Trim();
        string device = "br-" + id[..12];
        try
        {
            Assert.True((await InspectAsync("int1")).GetProperty("Internal").GetBoolean());
            string rules = await HostNet.IptablesSaveAsync();
            Assert.DoesNotContain($"-s {subnet} ! -o {device} -j MASQUERADE", rules);
            Assert.Contains($"! -s {subnet} -o {device} -j DROP", rules);
        }
        finally
        {
            await Docker.RunAsync("network", "rm", "int1");
        }
    }

    [Fact]
    public async Task Prune_RemovesCustomNetworksOnly()
    {
        await Docker.RunOkAsync("network", "create", "--subnet", $"{Daemon.PoolStem}240/28", "p1");
        string output = await Docker.RunOkAsync("network", "prune", "-f");
        Assert.Contains("p1", output);
        var names = await Docker.RunOkAsync("network", "ls", "--format", "{{.Name}}");
        Assert.DoesNotContain("p1", names);
        Assert.Contains("bridge", names);
    }

    [Fact]
    public async Task Restart_KeepsNetworksAndRecreatesMissingDevices()
    {
        string bridgeId = (await InspectAsync("bridge")).GetProperty("Id").GetString()!;
        string id = (await Docker.RunOkAsync("network", "create", "--subnet", $"{Daemon.PoolStem}160/27", "keep")).Trim();
        string device = "br-" + id[..12];
        try
        {
            await Daemon.StopAsync();
            (await ProcessRunner.RunAsync("ip", ["link", "del", device])).EnsureSuccess();
            await Daemon.StartAsync();

            Assert.Equal(id, (await InspectAsync("keep")).GetProperty("Id").GetString());
            Assert.Equal(bridgeId, (await InspectAsync("bridge")).GetProperty("Id").GetString());
            // Devices are reconciled in the background once the API answers: wait for it.
            var addresses = await Poll.ForAsync<IReadOnlyList<string>?>(() => HostNet.Ipv4AddressesAsync(device), a => a is { Count: > 0 },
                TimeSpan.FromSeconds(10), $"{device} recreated");
            Assert.Equal([$"{Daemon.PoolStem}161/27"], addresses);
        }
        finally
        {
            await Docker.RunAsync("network", "rm", "keep");
        }
    }

    private async Task<JsonElement> InspectAsync(string name)
    {
        using var doc = JsonDocument.Parse(await Docker.RunOkAsync("network", "inspect", name));
        return doc.RootElement[0].Clone();
    }
}

/// <summary>After the daemon stops, the harness cleanup leaves none of its links or rules behind.</summary>
public sealed class NetworkLeftoverTests
{
    private readonly ITestOutputHelper _output;

    public NetworkLeftoverTests(ITestOutputHelper output)
    {
        _output = output;
    }

    [Fact]
    public async Task StoppedDaemon_CleanupRemovesEveryLinkAndRule()
    {
        await using var daemon = await BerthDaemon.StartNewAsync(_output, new BerthDaemonOptions { AddressPoolSize = 26 });
        using var docker = daemon.Cli(_output);
        await docker.RunOkAsync("network", "create", "left1");
        Assert.Equal(2, NetworkLeftovers.Links(daemon.BridgeName, daemon.ChainPrefix).Count);
        Assert.NotEmpty(NetworkLeftovers.Rules(daemon.ChainPrefix));

        await daemon.StopAsync();
        // berthd keeps devices and rules on shutdown, like dockerd...
        Assert.Equal(2, NetworkLeftovers.Links(daemon.BridgeName, daemon.ChainPrefix).Count);
        NetworkLeftovers.RemoveAll(daemon.BridgeName, daemon.ChainPrefix);
        // ...and nothing with its names survives the cleanup.
        Assert.Empty(NetworkLeftovers.Links(daemon.BridgeName, daemon.ChainPrefix));
        Assert.Empty(NetworkLeftovers.Rules(daemon.ChainPrefix));
        Assert.DoesNotContain(daemon.ChainPrefix, await HostNet.IptablesSaveAsync());
    }
}
