using Berth.IntegrationTests.Harness;

namespace Berth.IntegrationTests.Distribution;

/// <summary>A pull cut short by SIGKILL of berthd leaves no image and no layer behind; the next pull completes.</summary>
public sealed class PullInterruptTests(RegistryFixture registry, ITestOutputHelper output) : IClassFixture<RegistryFixture>
{
    [Fact]
    public async Task KillNineMidPullLeavesNothingAndTheNextPullCompletes()
    {
        await using var daemon = await BerthDaemon.StartNewAsync(output);
        using var docker = daemon.Cli(output);
        var scratch = Directory.CreateTempSubdirectory("berth-it-scratch-").FullName;
        try
        {
            var (name, layer) = await PublishAsync(docker, scratch, "x/killed:1");
            var layersBefore = RegistryTestKit.LayerDirs(daemon);
            await using var proxy = new RegistryProxy(registry.Host) { StallBlob = layer };

            var pull = docker.RunAsync("pull", $"{proxy.Host}/x/killed:1");
            await proxy.Stalled.Task.WaitAsync(TimeSpan.FromSeconds(60));
            await Poll.UntilAsync(() => Directory.EnumerateDirectories(Path.Combine(daemon.DataRoot, "overlay"), "tmp-*").Any(),
                TimeSpan.FromSeconds(30), "a layer being unpacked");
            daemon.KillHard();
            var result = await pull;
            Assert.NotEqual(0, result.ExitCode);

            proxy.ResetStall();
            proxy.StallBlob = null;
            await daemon.StartAsync();
            Assert.Empty(Directory.EnumerateDirectories(Path.Combine(daemon.DataRoot, "overlay"), "tmp-*"));
            Assert.Equal(layersBefore, RegistryTestKit.LayerDirs(daemon));
            var images = await docker.RunOkAsync("images", "--format", "{{.Repository}}:{{.Tag}}");
            Assert.DoesNotContain("killed", images);

            var again = await docker.RunOkAsync("pull", $"{proxy.Host}/x/killed:1");
            Assert.Contains("Downloaded newer image", again);
            await docker.RunOkAsync("image", "inspect", $"{proxy.Host}/x/killed:1");
            _ = name;
        }
        finally
        {
            Directory.Delete(scratch, recursive: true);
        }
    }

    /// <summary>Pushes a busybox image (about 1 MB of layer) and removes it locally; returns its name and layer blob.</summary>
    private async Task<(string Name, string Layer)> PublishAsync(DockerCli docker, string scratch, string repoTag)
    {
        var name = $"{registry.Host}/{repoTag}";
        await RegistryTestKit.ImportRandomAsync(docker, scratch, name);
        await docker.RunOkAsync("push", name);
        await docker.RunOkAsync("rmi", name);
        var colon = repoTag.LastIndexOf(':');
        var manifest = await RegistryTestKit.GetManifestAsync(registry.Host, repoTag[..colon], repoTag[(colon + 1)..]);
        return (name, RegistryTestKit.BlobsOf(manifest.Bytes)[1]);
    }
}
