using System.Text.Json;
using Berth.IntegrationTests.Containers;
using Berth.IntegrationTests.Harness;

namespace Berth.IntegrationTests.Networking;

/// <summary>
/// berthd killed with SIGKILL while containers run on a user network: after the restart the
/// running container keeps its address and endpoint (and its bridge, deleted meanwhile, comes
/// back with the veth on it), a container that died meanwhile is released, and removing
/// everything leaves nothing behind.
/// </summary>
public sealed class ContainerNetworkRestartTests
{
    private readonly ITestOutputHelper _output;

    public ContainerNetworkRestartTests(ITestOutputHelper output)
    {
        _output = output;
    }

    [Fact]
    public async Task KillNine_Restart_KeepsEndpoints_RepairsBridge_ReleasesTheDead()
    {
        await using var daemon = await BerthDaemon.StartNewAsync(_output, new BerthDaemonOptions { AddressPoolSize = 26 });
        using var docker = daemon.Cli(_output);
        string stem = daemon.AddressPool[..(daemon.AddressPool.LastIndexOf('.') + 1)];
        try
        {
            await ContainerTestSupport.EnsureBusyboxAsync(docker);
            string networkId = (await docker.RunOkAsync("network", "create", "--subnet", $"{stem}64/26", "n1")).Trim();
            await docker.RunOkAsync("run", "-d", "--name", "srv", "--network", "n1", "busybox", "sleep", "600");
            await docker.RunOkAsync("run", "-d", "--name", "gone", "--network", "n1", "busybox", "sleep", "600");
            var srv = await InspectAsync(docker, "srv");
            string ip = srv.GetProperty("NetworkSettings").GetProperty("Networks").GetProperty("n1").GetProperty("IPAddress").GetString()!;
            var gone = await InspectAsync(docker, "gone");
            int gonePid = gone.GetProperty("State").GetProperty("Pid").GetInt32();
            string goneSandbox = gone.GetProperty("NetworkSettings").GetProperty("SandboxKey").GetString()!;

            daemon.KillHard();
            await daemon.WaitForExitAsync(TimeSpan.FromSeconds(10));
            // While no daemon runs: the bridge disappears and one container dies.
            (await ProcessRunner.RunAsync("ip", ["link", "del", "br-" + networkId[..12]])).EnsureSuccess();
            Native.Kill(gonePid, Native.SIGKILL);
            await daemon.RestartAsync();

            await Poll.UntilAsync(async () => (await docker.RunAsync("run", "--rm", "--network", "n1", "busybox", "ping", "-c", "1", "-W", "2", ip)).Succeeded,
                TimeSpan.FromSeconds(30), $"{ip} reachable again on n1");
            var after = await InspectAsync(docker, "srv");
            Assert.True(after.GetProperty("State").GetProperty("Running").GetBoolean());
            Assert.Equal(ip, after.GetProperty("NetworkSettings").GetProperty("Networks").GetProperty("n1").GetProperty("IPAddress").GetString());
            Assert.Equal(srv.GetProperty("NetworkSettings").GetProperty("Networks").GetProperty("n1").GetProperty("EndpointID").GetString(),
                after.GetProperty("NetworkSettings").GetProperty("Networks").GetProperty("n1").GetProperty("EndpointID").GetString());

            using (var doc = JsonDocument.Parse(await docker.RunOkAsync("network", "inspect", "n1")))
            {
                Assert.Equal(["srv"], doc.RootElement[0].GetProperty("Containers").EnumerateObject().Select(c => c.Value.GetProperty("Name").GetString()));
            }
            Assert.Equal("exited", (await InspectAsync(docker, "gone")).GetProperty("State").GetProperty("Status").GetString());
            Assert.False(File.Exists(goneSandbox));
            // The dead container's address is free again: a new container may take it.
            string reused = gone.GetProperty("NetworkSettings").GetProperty("Networks").GetProperty("n1").GetProperty("IPAddress").GetString()!;
            await docker.RunOkAsync("run", "--rm", "--network", "n1", "--ip", reused, "busybox", "true");

            await docker.RunOkAsync("rm", "-f", "srv", "gone");
            await docker.RunOkAsync("network", "rm", "n1");
            await ContainerTestSupport.AssertNoLeftoversAsync(daemon);
            Assert.Equal([daemon.BridgeName], NetworkLeftovers.Links(daemon.BridgeName, daemon.ChainPrefix));
        }
        finally
        {
            await ContainerTestSupport.RemoveAllAndCheckCleanAsync(daemon, docker);
        }
    }

    private static async Task<JsonElement> InspectAsync(DockerCli docker, string name)
    {
        using var doc = JsonDocument.Parse(await docker.RunOkAsync("container", "inspect", name));
        return doc.RootElement[0].Clone();
    }
}
