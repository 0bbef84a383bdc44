using Berth.IntegrationTests.Containers;
using Berth.IntegrationTests.Harness;

namespace Berth.IntegrationTests.Clients;

/// <summary>
/// The docker-py suite (tests/clients/dockerpy, unittest modules) run with Debian's
/// python3-docker — the library docker-compose v1 and many scripts use — against one daemon.
/// Each module is one test here; its unittest output is the failure message.
/// </summary>
public sealed class DockerPyTests : CliTestBase<BerthDaemon>, IClassFixture<BerthDaemon>, IAsyncLifetime
{
    // Debian's interpreter on purpose: a pyenv python3 on PATH has its own docker-py (or none).
    private const string Python = "/usr/bin/python3";

    public DockerPyTests(BerthDaemon daemon, ITestOutputHelper output)
        : base(daemon, output)
    {
        Output = output;
    }

    private ITestOutputHelper Output { get; }

    public Task InitializeAsync() => ContainerTestSupport.EnsureBusyboxAsync(Docker);

    public Task DisposeAsync() => ContainerTestSupport.RemoveAllAndCheckCleanAsync(Daemon, Docker);

    [Theory]
    [InlineData("test_containers")]
    [InlineData("test_exec_logs")]
    [InlineData("test_resources")]
    public async Task Module_Passes(string module)
    {
        string dir = Path.Combine(AppContext.BaseDirectory, "clients", "dockerpy");
        var result = await ProcessRunner.RunAsync(Python, ["-m", "unittest", "-v", module], "",
            new Dictionary<string, string?>
            {
                ["DOCKER_HOST"] = Daemon.Host,
                ["PYTHONDONTWRITEBYTECODE"] = "1",
                ["PYTHONPATH"] = dir,
            },
            TimeSpan.FromMinutes(4), dir);
        Output.WriteLine(result.Stderr);
        Assert.True(result.Succeeded, result.ToString());
        Assert.Contains("\nOK", result.Stderr, StringComparison.Ordinal);
    }
}
