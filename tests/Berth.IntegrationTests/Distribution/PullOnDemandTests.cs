using Berth.IntegrationTests.Harness;

namespace Berth.IntegrationTests.Distribution;

/// <summary>
/// Pulls that other commands start: docker run of an image missing locally (the CLI pulls through
/// POST /images/create), and docker build's FROM (missing locally, or re-pulled with --pull).
/// </summary>
public sealed class PullOnDemandTests(BerthDaemon daemon, RegistryFixture registry, ITestOutputHelper output)
    : CliTestBase<BerthDaemon>(daemon, output), IClassFixture<BerthDaemon>, IClassFixture<RegistryFixture>
{
    [Fact]
    public async Task RunOfAMissingImagePullsItFirst()
    {
        var name = $"{registry.Host}/x/runpull:1";
        var id = await RegistryTestKit.ImportBusyboxAsync(Docker, ScratchDir, name);
        await Docker.RunOkAsync("push", name);
        await Docker.RunOkAsync("rmi", name);

        var run = await Docker.RunAsync("run", "--rm", name, "echo", "ran after pull");
        Assert.True(run.ExitCode == 0, run.Stdout + run.Stderr);
        Assert.Equal("ran after pull", run.Stdout.Trim());
        Assert.Contains($"Unable to find image '{name}' locally", run.Stderr);
        Assert.Contains($"Status: Downloaded newer image for {name}", run.Stderr);
        Assert.Equal(id, await RegistryTestKit.ImageIdAsync(Docker, name));

        var unknown = await Docker.RunAsync("run", "--rm", $"{registry.Host}/x/never-pushed:1", "true");
        Assert.Equal(125, unknown.ExitCode);
        Assert.Contains("not found", unknown.Stderr);
    }

    [Fact]
    public async Task BuildPullsAMissingBaseAndRepullsWithPull()
    {
        Docker.Environment["DOCKER_BUILDKIT"] = "0";
        var baseName = $"{registry.Host}/x/buildbase:1";
        var first = await RegistryTestKit.ImportBusyboxAsync(Docker, ScratchDir, baseName);
        await Docker.RunOkAsync("push", baseName);
        await Docker.RunOkAsync("rmi", baseName);

        var ctx = Path.Combine(ScratchDir, "ctx-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(ctx);
        File.WriteAllText(Path.Combine(ctx, "Dockerfile"), $"FROM {baseName}\nRUN echo built > /built.txt\n");

        var build = await Docker.RunAsync("build", "-t", "x/onbase:1", ctx);
        Assert.True(build.ExitCode == 0, build.Stdout + build.Stderr);
        Assert.Contains($"Status: Downloaded newer image for {baseName}", build.Stdout);
        Assert.Equal(first, await RegistryTestKit.ImageIdAsync(Docker, baseName));
        Assert.Equal("built", (await Docker.RunOkAsync("run", "--rm", "x/onbase:1", "cat", "/built.txt")).Trim());

        // The registry's tag moves on; the local copy stays behind until --pull.
        var second = await RegistryTestKit.ImportRandomAsync(Docker, ScratchDir, baseName, 64 << 10);
        await Docker.RunOkAsync("push", baseName);
        await Docker.RunOkAsync("tag", first, baseName);
        File.WriteAllText(Path.Combine(ctx, "Dockerfile"), $"FROM {baseName}\nLABEL rebuilt=1\n");

        var cached = await Docker.RunAsync("build", "-t", "x/onbase:2", ctx);
        Assert.True(cached.ExitCode == 0, cached.Stdout + cached.Stderr);
        Assert.DoesNotContain("Pulling from", cached.Stdout);
        Assert.Equal(await LayersAsync(first), await LayersAsync("x/onbase:2"));

        var pulled = await Docker.RunAsync("build", "--pull", "-t", "x/onbase:3", ctx);
        Assert.True(pulled.ExitCode == 0, pulled.Stdout + pulled.Stderr);
        Assert.Contains($"Status: Downloaded newer image for {baseName}", pulled.Stdout);
        Assert.Equal(second, await RegistryTestKit.ImageIdAsync(Docker, baseName));
        Assert.Equal(await LayersAsync(second), await LayersAsync("x/onbase:3"));

        await Docker.RunAsync("rmi", "-f", "x/onbase:1", "x/onbase:2", "x/onbase:3", baseName, first, second);
    }

    private async Task<string> LayersAsync(string image) =>
        (await Docker.RunOkAsync("image", "inspect", "--format", "{{json .RootFS.Layers}}", image)).Trim();
}
