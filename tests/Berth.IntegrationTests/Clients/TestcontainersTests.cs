using System.Net.Sockets;
using System.Text;
using Berth.IntegrationTests.Containers;
using Berth.IntegrationTests.Harness;
using Berth.IntegrationTests.Networking;
using DotNet.Testcontainers.Builders;
using DotNet.Testcontainers.Configurations;

namespace Berth.IntegrationTests.Clients;

/// <summary>
/// Testcontainers for .NET against berthd: what a test suite of a .NET project does with it —
/// a container with a random host port and a log wait strategy, exec, file copy both ways, a named
/// volume, a user network with an alias another container resolves. The resource reaper (Ryuk)
/// is off: its image comes from Docker Hub; each test disposes what it made.
/// </summary>
public sealed class TestcontainersTests : CliTestBase<NetworkDaemon>, IClassFixture<NetworkDaemon>, IAsyncLifetime
{
    public TestcontainersTests(NetworkDaemon daemon, ITestOutputHelper output)
        : base(daemon, output)
    {
        TestcontainersSettings.ResourceReaperEnabled = false;
    }

    public Task InitializeAsync() => ContainerTestSupport.EnsureBusyboxAsync(Docker);

    public Task DisposeAsync() => ContainerTestSupport.RemoveAllAndCheckCleanAsync(Daemon, Docker);

    private ContainerBuilder Busybox() => new ContainerBuilder("busybox:latest").WithDockerEndpoint(Daemon.Host);

    [Fact]
    public async Task PortBinding_WaitStrategy_Exec_AndFileCopy()
    {
        await using var container = Busybox()
            .WithCommand("sh", "-c", "echo ready; while true; do echo hello-from-berth | nc -l -p 8080; done")
            .WithPortBinding(8080, assignRandomHostPort: true)
            .WithWaitStrategy(Wait.ForUnixContainer().UntilMessageIsLogged("ready"))
            .Build();
        await container.StartAsync();

        ushort port = container.GetMappedPublicPort(8080);
        Assert.NotEqual(0, port);
        string? greeting = await Poll.ForAsync(async () =>
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync("127.0.0.1", port);
                using var reader = new StreamReader(client.GetStream(), Encoding.ASCII);
                return await reader.ReadLineAsync();
            }
            catch (Exception e) when (e is SocketException or IOException)
            {
                return null; // the listener is between two connections
            }
        }, line => line is not null, TimeSpan.FromSeconds(15), "the published port answers", line => line ?? "(none)");
        Assert.Equal("hello-from-berth", greeting);

        var exec = await container.ExecAsync(["sh", "-c", "echo out; echo err >&2; exit 3"]);
        Assert.Equal((3L, "out\n", "err\n"), (exec.ExitCode, exec.Stdout, exec.Stderr));

        await container.CopyAsync(Encoding.UTF8.GetBytes("copied in\n"), "/tmp/in.txt");
        Assert.Equal("copied in\n", (await container.ExecAsync(["cat", "/tmp/in.txt"])).Stdout);
        Assert.Equal("copied in\n", Encoding.UTF8.GetString(await container.ReadFileAsync("/tmp/in.txt")));
    }

    [Fact]
    public async Task NetworkAlias_AndNamedVolume()
    {
        string suffix = Guid.NewGuid().ToString("N")[..8];
        await using var network = new NetworkBuilder().WithDockerEndpoint(Daemon.Host).WithName("tc-net-" + suffix).Build();
        await network.CreateAsync();
        await using var volume = new VolumeBuilder().WithDockerEndpoint(Daemon.Host).WithName("tc-vol-" + suffix).Build();
        await volume.CreateAsync();

        await using var server = Busybox()
            .WithCommand("sh", "-c", "echo kept > /data/f; echo ready; sleep 300")
            .WithNetwork(network)
            .WithNetworkAliases("backend")
            .WithVolumeMount(volume, "/data")
            .WithWaitStrategy(Wait.ForUnixContainer().UntilMessageIsLogged("ready"))
            .Build();
        await server.StartAsync();

        await using var client = Busybox()
            .WithCommand("sleep", "300")
            .WithNetwork(network)
            .WithVolumeMount(volume, "/shared")
            .Build();
        await client.StartAsync();
        var ping = await client.ExecAsync(["ping", "-c", "1", "-W", "5", "backend"]);
        Assert.True(ping.ExitCode == 0, ping.Stdout + ping.Stderr);
        Assert.Equal("kept\n", (await client.ExecAsync(["cat", "/shared/f"])).Stdout);
    }
}
