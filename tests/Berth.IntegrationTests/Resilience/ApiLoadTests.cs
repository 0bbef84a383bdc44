using System.Collections.Concurrent;
using System.Diagnostics;
using Berth.IntegrationTests.Containers;
using Berth.IntegrationTests.Harness;
using Docker.DotNet;
using Docker.DotNet.Models;

namespace Berth.IntegrationTests.Resilience;

/// <summary>
/// A bounded load test: 200 concurrent API clients each loop create → start → wait → inspect →
/// logs → rm for a fixed time. Every call must succeed, every container must have said what it
/// was told, and afterwards nothing may be left on the host (mounts, conmons, netns, veths,
/// cgroups) — the checks every container test ends with.
/// </summary>
[Collection(RunsAlone.Name)]
public sealed class ApiLoadTests : CliTestBase<BerthDaemon>, IClassFixture<BerthDaemon>, IAsyncLifetime
{
    private const int Clients = 200;
    private static readonly TimeSpan Duration = TimeSpan.FromSeconds(20);

    public ApiLoadTests(BerthDaemon daemon, ITestOutputHelper output)
        : base(daemon, output)
    {
        Output = output;
    }

    private ITestOutputHelper Output { get; }

    public Task InitializeAsync() => ContainerTestSupport.EnsureBusyboxAsync(Docker);

    public Task DisposeAsync() => ContainerTestSupport.RemoveAllAndCheckCleanAsync(Daemon, Docker);

    [Fact]
    public async Task TwoHundredClients_CreateStartInspectLogsRemove_WithoutErrorsOrLeaks()
    {
        var errors = new ConcurrentQueue<string>();
        int cycles = 0;
        var clock = Stopwatch.StartNew();
        // Each client its own connection pool, as 200 separate programs would have.
        var tasks = Enumerable.Range(0, Clients).Select(n => Task.Run(async () =>
        {
            using var client = DockerClients.Create(Daemon.Host);
            for (int i = 0; clock.Elapsed < Duration; i++)
            {
                string marker = $"c{n}-{i}";
                string? id = null;
                try
                {
                    id = (await client.Containers.CreateContainerAsync(new CreateContainerParameters
                    {
                        Image = "busybox",
                        Cmd = ["echo", marker],
                        HostConfig = new HostConfig { NetworkMode = n % 2 == 0 ? "none" : "bridge" },
                    })).ID;
                    await client.Containers.StartContainerAsync(id, new ContainerStartParameters());
                    var exit = await client.Containers.WaitContainerAsync(id);
                    var inspect = await client.Containers.InspectContainerAsync(id);
                    if (exit.StatusCode != 0 || inspect?.State?.Status != "exited")
                    {
                        errors.Enqueue($"{marker}: exit {exit.StatusCode}, state {inspect?.State?.Status}");
                    }
                    using var logs = await client.Containers.GetContainerLogsAsync(id, new ContainerLogsParameters { ShowStdout = true, ShowStderr = true });
                    var (stdout, stderr) = await logs.ReadOutputToEndAsync(CancellationToken.None);
                    if (stdout != marker + "\n" || stderr.Length != 0)
                    {
                        errors.Enqueue($"{marker}: logs '{stdout}' / '{stderr}'");
                    }
                    await client.Containers.RemoveContainerAsync(id, new ContainerRemoveParameters());
                    Interlocked.Increment(ref cycles);
                }
                catch (DockerApiException e)
                {
                    errors.Enqueue($"{marker} ({id}): {e.StatusCode} {e.ResponseBody}");
                }
                catch (Exception e) when (e is HttpRequestException or IOException or TimeoutException or TaskCanceledException)
                {
                    errors.Enqueue($"{marker} ({id}) after {clock.Elapsed.TotalSeconds:F1} s: {e.GetType().Name}: {e.Message} <- {e.GetBaseException().GetType().Name}: {e.GetBaseException().Message}");
                }
            }
        })).ToArray();
        await Task.WhenAll(tasks);
        Output.WriteLine($"{cycles} create/start/wait/inspect/logs/rm cycles by {Clients} clients in {clock.Elapsed.TotalSeconds:F1} s ({cycles / clock.Elapsed.TotalSeconds:F1}/s)");

        Assert.True(errors.IsEmpty, $"{errors.Count} errors, first ones:\n" + string.Join("\n", errors.Take(20)));
        Assert.True(cycles >= Clients, $"only {cycles} cycles");
        Assert.Equal("", (await Docker.RunOkAsync("ps", "-aq")).Trim());
        await ContainerTestSupport.AssertNoLeftoversAsync(Daemon);
        Assert.True(Daemon.IsRunning);
    }
}

/// <summary>
/// The load test runs alone (xunit runs non-parallel collections after the parallel ones): its
/// 200 clients measure berthd, not how much CPU the other test daemons leave it.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class RunsAlone
{
    public const string Name = "api load, alone";
}
