using Berth.IntegrationTests.Containers;
using Berth.IntegrationTests.Harness;

namespace Berth.IntegrationTests.Clients;

/// <summary>
/// `docker-compose build` (Debian's compose v1, which builds through docker-py's POST /build, not
/// the CLI) of the project in tests/clients/compose-build; the image then runs as written.
/// </summary>
public sealed class ComposeBuildTests : CliTestBase<BerthDaemon>, IClassFixture<BerthDaemon>, IAsyncLifetime
{
    public ComposeBuildTests(BerthDaemon daemon, ITestOutputHelper output)
        : base(daemon, output)
    {
    }

    public Task InitializeAsync() => ContainerTestSupport.EnsureBusyboxAsync(Docker);

    public Task DisposeAsync() => ContainerTestSupport.RemoveAllAndCheckCleanAsync(Daemon, Docker);

    private Task<ProcessResult> ComposeAsync(string project, params string[] args) =>
        ProcessRunner.RunAsync("docker-compose", ["-p", project, "-f", Path.Combine(AppContext.BaseDirectory, "clients", "compose-build", "docker-compose.yml"), .. args], "",
            new Dictionary<string, string?>
            {
                ["DOCKER_HOST"] = Daemon.Host,
                ["COMPOSE_DOCKER_CLI_BUILD"] = "0",
                ["DOCKER_BUILDKIT"] = "0",
            },
            TimeSpan.FromMinutes(3));

    [Fact]
    public async Task Build_MakesTheServiceImage_AndRebuildUsesTheCache()
    {
        string project = "cb" + Daemon.Id;
        var build = await ComposeAsync(project, "build");
        Assert.True(build.Succeeded, build.ToString());
        string image = project + "_app";
        Assert.Equal("hello compose\n", await Docker.RunOkAsync("run", "--rm", image));
        Assert.Equal("compose\n", await Docker.RunOkAsync("image", "inspect", "-f", "{{index .Config.Labels \"org.example.built-by\"}}", image));

        var again = await ComposeAsync(project, "build");
        Assert.True(again.Succeeded, again.ToString());
        Assert.Contains("Using cache", again.Stdout + again.Stderr, StringComparison.Ordinal);
        await Docker.RunOkAsync("rmi", image);
    }
}
