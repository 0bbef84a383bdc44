using System.Net;
using System.Security.Cryptography;
using Berth.IntegrationTests.Containers;
using Berth.IntegrationTests.Harness;
using Berth.IntegrationTests.Images;

namespace Berth.IntegrationTests.Resilience;

/// <summary>berthd kill -9 while a multi-layer `docker load` body is still streaming in.</summary>
public sealed class KillDuringLoadTests
{
    private readonly ITestOutputHelper _output;

    public KillDuringLoadTests(ITestOutputHelper output)
    {
        _output = output;
    }

    [Fact]
    public async Task LoadCutByKill_LeavesNoImageLayerOrSpool_AndLoadWorksAfterRestart()
    {
        await using var daemon = await BerthDaemon.StartNewAsync(_output);
        using var docker = daemon.Cli(_output);
        string scratch = Directory.CreateTempSubdirectory("berth-resil-load-").FullName;
        try
        {
            await ContainerTestSupport.EnsureBusyboxAsync(docker);
            // Acknowledged before the kill: a one-layer image loaded in full.
            byte[] keptLayer = File.ReadAllBytes(ArchiveFiles.Write(Path.Combine(scratch, "kept-layer.tar"), ("kept", RandomNumberGenerator.GetBytes(64 << 10))));
            string kept = Archive(scratch, "kept.tar", "resil/kept:1", keptLayer);
            Assert.Contains("Loaded image: resil/kept:1", await docker.RunOkAsync("load", "-i", kept), StringComparison.Ordinal);
            var imagesBefore = await CrashChecks.ImagesAsync(docker);
            var layersBefore = CrashChecks.LayerDirectories(daemon);

            byte[][] layers = [.. Enumerable.Range(0, 3).Select(i =>
                File.ReadAllBytes(ArchiveFiles.Write(Path.Combine(scratch, $"l{i}.tar"), ($"f{i}", RandomNumberGenerator.GetBytes(4 << 20)))))];
            string partial = Archive(scratch, "partial.tar", "resil/partial:1", layers);
            byte[] body = File.ReadAllBytes(partial);

            // Feed the first two thirds, then hold the body open until the daemon dies.
            using var hold = new CancellationTokenSource();
            using var client = UnixSockets.HttpClient(daemon.SocketPath, TimeSpan.FromMinutes(2));
            var content = new HeldContent(body, body.Length * 2 / 3, hold.Token);
            Task<HttpResponseMessage> request = client.PostAsync("/images/load?quiet=1", content);
            string tmp = Path.Combine(daemon.DataRoot, "tmp");
            await Poll.UntilAsync(() => SpooledBytes(tmp) >= (4L << 20), TimeSpan.FromSeconds(60), "the archive spooling under data/tmp");

            await CrashChecks.KillAndRestartAsync(daemon);
            hold.Cancel();
            await Assert.ThrowsAnyAsync<Exception>(() => request);

            Assert.Equal(imagesBefore, await CrashChecks.ImagesAsync(docker));
            Assert.False((await docker.RunAsync("image", "inspect", "resil/partial:1")).Succeeded);
            Assert.Equal(layersBefore, CrashChecks.LayerDirectories(daemon));
            CrashChecks.AssertNothingHalfDone(daemon);

            // The same archive loads whole afterwards, and the kept image still runs as before.
            Assert.Contains("Loaded image: resil/partial:1", await docker.RunOkAsync("load", "-i", partial), StringComparison.Ordinal);
            Assert.Equal("[\"sha256:" + ImageArchiveTests.Hex(layers[0]) + "\",\"sha256:" + ImageArchiveTests.Hex(layers[1]) + "\",\"sha256:" + ImageArchiveTests.Hex(layers[2]) + "\"]",
                (await docker.RunOkAsync("image", "inspect", "-f", "{{json .RootFS.Layers}}", "resil/partial:1")).Trim());
            Assert.Equal(layersBefore.Count + 3, CrashChecks.LayerDirectories(daemon).Count);
            Assert.Equal("ok\n", await docker.RunOkAsync("run", "--rm", "--network", "none", "busybox", "echo", "ok"));
            CrashChecks.AssertNothingHalfDone(daemon);
        }
        finally
        {
            Directory.Delete(scratch, recursive: true);
            await ContainerTestSupport.RemoveAllAndCheckCleanAsync(daemon, docker);
        }
    }

    private static string Archive(string dir, string name, string tag, params byte[][] layers)
    {
        byte[] config = ImageArchiveTests.ConfigFor(layers);
        var members = new List<(string, byte[])>();
        for (int i = 0; i < layers.Length; i++)
        {
            members.Add(($"l{i}/layer.tar", layers[i]));
        }
        members.Add(("c.json", config));
        string layerList = string.Join(",", Enumerable.Range(0, layers.Length).Select(i => $"\"l{i}/layer.tar\""));
        members.Add(("manifest.json", System.Text.Encoding.UTF8.GetBytes($$"""[{"Config":"c.json","RepoTags":["{{tag}}"],"Layers":[{{layerList}}]}]""")));
        return ArchiveFiles.Write(Path.Combine(dir, name), [.. members]);
    }

    private static long SpooledBytes(string tmp) =>
        Directory.Exists(tmp)
            ? Directory.EnumerateDirectories(tmp, "load-*").SelectMany(d => Directory.EnumerateFiles(d, "*", SearchOption.AllDirectories)).Sum(f => new FileInfo(f).Length)
            : 0;

    /// <summary>A request body that sends its first <c>sent</c> bytes, then waits until cancelled.</summary>
    private sealed class HeldContent(byte[] body, int sent, CancellationToken hold) : HttpContent
    {
        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            for (int offset = 0; offset < sent; offset += 64 << 10)
            {
                await stream.WriteAsync(body.AsMemory(offset, Math.Min(64 << 10, sent - offset)), hold);
                await stream.FlushAsync(hold);
            }
            await Task.Delay(Timeout.Infinite, hold);
        }

        protected override bool TryComputeLength(out long length)
        {
            length = body.Length;
            return true;
        }
    }
}
