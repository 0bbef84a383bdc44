using System.Text;
using System.Text.Json;
using Berth.IntegrationTests.Harness;

namespace Berth.IntegrationTests.Distribution;

/// <summary>
/// docker push / pull against a real registry (Debian's docker-registry on 127.0.0.1, plain HTTP,
/// insecure by dockerd's loopback rule): round trip with equal digests, pull by digest, errors,
/// a multi-platform index, and a tampered blob.
/// </summary>
public sealed class PullPushTests(BerthDaemon daemon, RegistryFixture registry, ITestOutputHelper output)
    : CliTestBase<BerthDaemon>(daemon, output), IClassFixture<BerthDaemon>, IClassFixture<RegistryFixture>
{
    [Fact]
    public async Task PushRmiPullAndRunRoundTrip()
    {
        var name = $"{registry.Host}/x/busybox:1";
        var since = DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 1;
        var id = await RegistryTestKit.ImportBusyboxAsync(Docker, ScratchDir, name);

        var push = await Docker.RunOkAsync("push", name);
        Assert.Contains($"The push refers to repository [{registry.Host}/x/busybox]", push);
        Assert.Contains("Pushed", push);
        var digest = RegistryTestKit.PushedDigest(push);
        var (manifest, mediaType) = await RegistryTestKit.GetManifestAsync(registry.Host, "x/busybox", "1");
        Assert.Equal("application/vnd.docker.distribution.manifest.v2+json", mediaType);
        Assert.Equal(digest, RegistryTestKit.Sha256(manifest));
        Assert.Contains($"size: {manifest.Length}", push);

        var again = await Docker.RunOkAsync("push", name);
        Assert.Contains("Layer already exists", again);
        Assert.Equal(digest, RegistryTestKit.PushedDigest(again));

        await Docker.RunOkAsync("rmi", name);
        var pull = await Docker.RunOkAsync("pull", name);
        Assert.Contains("Pulling from x/busybox", pull.Replace(registry.Host + "/", "", StringComparison.Ordinal));
        Assert.Contains($"Digest: {digest}", pull);
        Assert.Contains($"Status: Downloaded newer image for {name}", pull);
        Assert.Equal(id, await RegistryTestKit.ImageIdAsync(Docker, name));

        var digests = await Docker.RunOkAsync("images", "--digests", "--format", "{{.Repository}} {{.Tag}} {{.Digest}}", $"{registry.Host}/x/busybox");
        Assert.Contains($"{registry.Host}/x/busybox 1 {digest}", digests);
        var repoDigests = await Docker.RunOkAsync("image", "inspect", "--format", "{{json .RepoDigests}}", name);
        Assert.Contains($"{registry.Host}/x/busybox@{digest}", repoDigests);

        var upToDate = await Docker.RunOkAsync("pull", name);
        Assert.Contains($"Status: Image is up to date for {name}", upToDate);

        var run = await Docker.RunOkAsync("run", "--rm", name, "echo", "pulled and running");
        Assert.Equal("pulled and running", run.Trim());

        var until = DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 1;
        await Poll.UntilAsync(() => DateTimeOffset.UtcNow.ToUnixTimeSeconds() >= until, TimeSpan.FromSeconds(5), "clock past --until");
        var events = await Docker.RunOkAsync("events", "--since", since.ToString(), "--until", until.ToString(),
            "--filter", "type=image", "--format", "{{.Action}} {{.Actor.ID}} {{.Actor.Attributes.name}}");
        Assert.Contains($"push {name} {registry.Host}/x/busybox", events);
        Assert.Contains($"pull {name} {registry.Host}/x/busybox", events);
    }

    [Fact]
    public async Task PullByDigestRecordsTheDigestReference()
    {
        var name = $"{registry.Host}/x/bydigest:1";
        var id = await RegistryTestKit.ImportBusyboxAsync(Docker, ScratchDir, name);
        var digest = RegistryTestKit.PushedDigest(await Docker.RunOkAsync("push", name));
        await Docker.RunOkAsync("rmi", name);

        var byDigest = $"{registry.Host}/x/bydigest@{digest}";
        var pull = await Docker.RunOkAsync("pull", byDigest);
        Assert.Contains($"Status: Downloaded newer image for {byDigest}", pull);
        Assert.Equal(id, await RegistryTestKit.ImageIdAsync(Docker, byDigest));
        var tags = await Docker.RunOkAsync("image", "inspect", "--format", "{{json .RepoTags}} {{json .RepoDigests}}", byDigest);
        Assert.Equal($"[] [\"{byDigest}\"]", tags.Trim());

        var wrong = $"{registry.Host}/x/bydigest@sha256:{new string('0', 64)}";
        var missing = await Docker.RunAsync("pull", wrong);
        Assert.NotEqual(0, missing.ExitCode);
        Assert.Contains("not found", missing.Stderr);
    }

    [Fact]
    public async Task UnknownTagsAndRepositoriesFailWithDockerdsMessageAndStoreNothing()
    {
        var before = await Docker.RunOkAsync("images", "-q", "--no-trunc");
        var layers = RegistryTestKit.LayerDirs(Daemon);

        var tag = await Docker.RunAsync("pull", $"{registry.Host}/x/nothing:nope");
        Assert.Equal(1, tag.ExitCode);
        Assert.Contains($"Error response from daemon: manifest for {registry.Host}/x/nothing:nope not found: manifest unknown: manifest unknown", tag.Stderr);

        var down = FreePort.Next();
        var refused = await Docker.RunAsync("pull", $"127.0.0.1:{down}/x/a:1");
        Assert.Equal(1, refused.ExitCode);
        Assert.Contains($"dial tcp 127.0.0.1:{down}: connect: connection refused", refused.Stderr);

        var scratch = await Docker.RunAsync("pull", "scratch");
        Assert.Contains("'scratch' is a reserved name", scratch.Stderr);

        var push = await Docker.RunAsync("push", $"{registry.Host}/x/notlocal:1");
        Assert.NotEqual(0, push.ExitCode);
        Assert.Contains($"An image does not exist locally with the tag: {registry.Host}/x/notlocal", push.Stdout + push.Stderr);

        Assert.Equal(before, await Docker.RunOkAsync("images", "-q", "--no-trunc"));
        Assert.Equal(layers, RegistryTestKit.LayerDirs(Daemon));
    }

    [Fact]
    public async Task ManifestListSelectsTheHostPlatformOrTheOneAsked()
    {
        var amd = $"{registry.Host}/x/multi:amd64";
        var arm = $"{registry.Host}/x/multi:arm64";
        var amdId = await RegistryTestKit.ImportBusyboxAsync(Docker, ScratchDir, amd, "linux/amd64");
        var armId = await RegistryTestKit.ImportBusyboxAsync(Docker, ScratchDir, arm, "linux/arm64");
        Assert.NotEqual(amdId, armId);
        await Docker.RunOkAsync("push", amd);
        await Docker.RunOkAsync("push", arm);

        var entries = new List<(byte[] Manifest, string Arch)>();
        foreach (var (tag, arch) in new[] { ("amd64", "amd64"), ("arm64", "arm64") })
        {
            entries.Add(((await RegistryTestKit.GetManifestAsync(registry.Host, "x/multi", tag)).Bytes, arch));
        }
        var index = new StringBuilder("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\",\"manifests\":[");
        // An attestation-like entry without a platform comes first: it must be skipped.
        index.Append($"{{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"{RegistryTestKit.Sha256(entries[1].Manifest)}\",\"size\":{entries[1].Manifest.Length}}},");
        index.AppendJoin(',', entries.OrderByDescending(e => e.Arch).Select(e =>
            $"{{\"mediaType\":\"application/vnd.docker.distribution.manifest.v2+json\",\"digest\":\"{RegistryTestKit.Sha256(e.Manifest)}\",\"size\":{e.Manifest.Length},\"platform\":{{\"architecture\":\"{e.Arch}\",\"os\":\"linux\"}}}}"));
        index.Append("]}");
        var indexBytes = Encoding.UTF8.GetBytes(index.ToString());
        await RegistryTestKit.PutManifestAsync(registry.Host, "x/multi", "all", indexBytes, "application/vnd.oci.image.index.v1+json");
        await Docker.RunOkAsync("rmi", amd, arm);

        var all = $"{registry.Host}/x/multi:all";
        var pull = await Docker.RunOkAsync("pull", all);
        Assert.Contains($"Digest: {RegistryTestKit.Sha256(indexBytes)}", pull);
        Assert.Equal(amdId, await RegistryTestKit.ImageIdAsync(Docker, all));

        var armPull = await Docker.RunOkAsync("pull", "--platform", "linux/arm64", all);
        Assert.Contains($"Status: Downloaded newer image for {all}", armPull);
        Assert.Equal(armId, await RegistryTestKit.ImageIdAsync(Docker, all));
        Assert.Equal("arm64", (await Docker.RunOkAsync("image", "inspect", "--format", "{{.Architecture}}", all)).Trim());

        var none = await Docker.RunAsync("pull", "--platform", "linux/s390x", all);
        Assert.Contains("no matching manifest for linux/s390x in the manifest list entries", none.Stderr);

        using var http = Daemon.Http();
        var inspect = await http.GetAsync($"/distribution/{all}/json");
        Assert.True(inspect.StatusCode == 200, inspect.ToString());
        using var doc = JsonDocument.Parse(inspect.Body);
        Assert.Equal(RegistryTestKit.Sha256(indexBytes), doc.RootElement.GetProperty("Descriptor").GetProperty("digest").GetString());
        Assert.Equal(["amd64", "arm64"], doc.RootElement.GetProperty("Platforms").EnumerateArray().Select(p => p.GetProperty("architecture").GetString()).Order());
    }

    [Fact]
    public async Task TamperedBlobFailsWithADigestErrorAndStoresNothing()
    {
        var name = $"{registry.Host}/x/tamper:1";
        await RegistryTestKit.ImportRandomAsync(Docker, ScratchDir, name);
        await Docker.RunOkAsync("push", name);
        await Docker.RunOkAsync("rmi", name);
        var layer = RegistryTestKit.BlobsOf((await RegistryTestKit.GetManifestAsync(registry.Host, "x/tamper", "1")).Bytes)[1];
        var layers = RegistryTestKit.LayerDirs(Daemon);

        await using var proxy = new RegistryProxy(registry.Host) { TamperBlob = layer };
        var bad = await Docker.RunAsync("pull", $"{proxy.Host}/x/tamper:1");
        Assert.Equal(1, bad.ExitCode);
        Assert.Contains($"filesystem layer verification failed for digest {layer}", bad.Stderr);
        var images = await Docker.RunOkAsync("images", "--format", "{{.Repository}}");
        Assert.DoesNotContain("tamper", images);
        Assert.Equal(layers, RegistryTestKit.LayerDirs(Daemon));

        proxy.TamperBlob = null;
        var good = await Docker.RunOkAsync("pull", $"{proxy.Host}/x/tamper:1");
        Assert.Contains("Downloaded newer image", good);
    }
}
