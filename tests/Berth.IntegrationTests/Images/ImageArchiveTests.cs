using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Berth.IntegrationTests.Harness;

namespace Berth.IntegrationTests.Images;

/// <summary>docker save / docker load with the real CLI (and skopeo when installed) against one daemon.</summary>
public sealed class ImageArchiveTests : CliTestBase<BerthDaemon>, IClassFixture<BerthDaemon>
{
    public ImageArchiveTests(BerthDaemon daemon, ITestOutputHelper output)
        : base(daemon, output)
    {
    }

    private string RootfsTar() => TestImages.BusyboxRootfsTar(Path.Combine(ScratchDir, "rootfs.tar"));

    private async Task<string> ImportAsync(string reference, params string[] extra) =>
        (await Docker.RunOkAsync(["import", .. extra, RootfsTar(), reference])).Trim();

    private async Task<string> IdOfAsync(string reference) =>
        (await Docker.RunOkAsync("image", "inspect", "--format", "{{.Id}}", reference)).Trim();

    private static Dictionary<string, byte[]> Members(string tarPath)
    {
        var members = new Dictionary<string, byte[]>();
        using var reader = new TarReader(File.OpenRead(tarPath));
        while (reader.GetNextEntry() is { } entry)
        {
            using var copy = new MemoryStream();
            entry.DataStream?.CopyTo(copy);
            members[entry.Name] = copy.ToArray();
        }
        return members;
    }

    [Fact]
    public async Task Save_rmi_load_keeps_the_id_and_tags()
    {
        string id = await ImportAsync("arch/busybox:latest", "-c", "CMD [\"sh\"]");
        string tar = Path.Combine(ScratchDir, "x.tar");
        await Docker.RunOkAsync("save", "arch/busybox:latest", "-o", tar);
        var members = Members(tar);
        Assert.Contains("manifest.json", members.Keys);
        Assert.Contains("index.json", members.Keys);
        Assert.Contains("oci-layout", members.Keys);
        Assert.Contains("repositories", members.Keys);
        Assert.Contains("blobs/sha256/" + id[7..], members.Keys);

        await Docker.RunOkAsync("rmi", "arch/busybox:latest");
        string output = await Docker.RunOkAsync("load", "-i", tar);
        Assert.Contains("Loaded image: arch/busybox:latest", output, StringComparison.Ordinal);
        Assert.Equal(id, await IdOfAsync("arch/busybox:latest"));
        // "--until 0s" is cut at whole seconds on the client, which can drop what happened this
        // second; a deadline just ahead replays the history and ends on its own.
        string until = (DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 2).ToString(System.Globalization.CultureInfo.InvariantCulture);
        string saves = await Docker.RunOkAsync("events", "--since", "5m", "--until", until, "--filter", "event=save", "--format", "{{.Action}} {{.Actor.ID}}");
        Assert.Contains("save " + id, saves, StringComparison.Ordinal);
        string loads = await Docker.RunOkAsync("events", "--since", "5m", "--until", until, "--filter", "event=load", "--format", "{{.Action}} {{.Actor.ID}}");
        Assert.Contains("load " + id, loads, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Save_of_two_images_sharing_a_layer_writes_it_once_and_loads_both()
    {
        string a = await ImportAsync("arch/share:a", "-c", "ENV A=1");
        string b = await ImportAsync("arch/share:b", "-c", "ENV B=1");
        Assert.NotEqual(a, b);
        string tar = Path.Combine(ScratchDir, "two.tar");
        await Docker.RunOkAsync("save", "-o", tar, "arch/share:a", "arch/share:b");
        var members = Members(tar);
        var manifest = JsonDocument.Parse(members["manifest.json"]).RootElement;
        Assert.Equal(2, manifest.GetArrayLength());
        string layer = manifest[0].GetProperty("Layers")[0].GetString()!;
        Assert.Equal(layer, manifest[1].GetProperty("Layers")[0].GetString());
        Assert.Single(members.Keys, k => k == layer);

        await Docker.RunOkAsync("rmi", "arch/share:a", "arch/share:b");
        string output = await Docker.RunOkAsync("load", "-i", tar);
        Assert.Contains("Loaded image: arch/share:a", output, StringComparison.Ordinal);
        Assert.Contains("Loaded image: arch/share:b", output, StringComparison.Ordinal);
        Assert.Equal(a, await IdOfAsync("arch/share:a"));
        Assert.Equal(b, await IdOfAsync("arch/share:b"));
    }

    [Fact]
    public async Task Loads_a_dockerd_20_10_legacy_archive()
    {
        byte[] layer = File.ReadAllBytes(RootfsTar());
        byte[] config = ConfigFor(layer);
        string id = Hex(config);
        string tar = WriteTar("legacy.tar",
            ("3f2a/VERSION", "1.0"u8.ToArray()), ("3f2a/json", """{"id":"3f2a"}"""u8.ToArray()), ("3f2a/layer.tar", layer),
            (id + ".json", config),
            ("manifest.json", Encoding.UTF8.GetBytes($$"""[{"Config":"{{id}}.json","RepoTags":["arch/legacy:20.10"],"Layers":["3f2a/layer.tar"]}]""")),
            ("repositories", """{"arch/legacy":{"20.10":"3f2a"}}"""u8.ToArray()));
        string output = await Docker.RunOkAsync("load", "-i", tar);
        Assert.Contains("Loaded image: arch/legacy:20.10", output, StringComparison.Ordinal);
        Assert.Equal("sha256:" + id, await IdOfAsync("arch/legacy:20.10"));
    }

    [Fact]
    public async Task Loads_an_OCI_layout_with_a_gzip_layer()
    {
        byte[] layer = File.ReadAllBytes(RootfsTar());
        byte[] gz = Gzip(layer);
        byte[] config = ConfigFor(layer);
        byte[] manifest = Encoding.UTF8.GetBytes(
            $$"""{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:{{Hex(config)}}","size":{{config.Length}}},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"sha256:{{Hex(gz)}}","size":{{gz.Length}}}]}""");
        string index = $$$"""{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:{{{Hex(manifest)}}}","size":{{{manifest.Length}}},"annotations":{"org.opencontainers.image.ref.name":"arch/oci:gz"}}]}""";
        string tar = WriteTar("oci.tar",
            ("oci-layout", """{"imageLayoutVersion":"1.0.0"}"""u8.ToArray()),
            ("index.json", Encoding.UTF8.GetBytes(index)),
            ("blobs/sha256/" + Hex(manifest), manifest),
            ("blobs/sha256/" + Hex(config), config),
            ("blobs/sha256/" + Hex(gz), gz));
        string output = await Docker.RunOkAsync("load", "-i", tar);
        Assert.Contains("Loaded image: arch/oci:gz", output, StringComparison.Ordinal);
        Assert.Equal("sha256:" + Hex(config), await IdOfAsync("arch/oci:gz"));
    }

    [Fact]
    public async Task Skopeo_docker_archive_and_oci_archive_outputs_load()
    {
        Assert.True(File.Exists("/usr/bin/skopeo"), "skopeo is required (scripts/install-deps.sh installs it)");
        string id = await ImportAsync("arch/skopeo:src");
        string saved = Path.Combine(ScratchDir, "saved.tar");
        await Docker.RunOkAsync("save", "-o", saved, "arch/skopeo:src");
        string dockerArchive = Path.Combine(ScratchDir, "skopeo-docker.tar");
        string ociArchive = Path.Combine(ScratchDir, "skopeo-oci.tar");
        await RunOkAsync("/usr/bin/skopeo", "copy", "--insecure-policy", $"docker-archive:{saved}", $"docker-archive:{dockerArchive}:arch/skopeo:docker");
        await RunOkAsync("/usr/bin/skopeo", "copy", "--insecure-policy", $"docker-archive:{saved}", $"oci-archive:{ociArchive}:arch/skopeo:oci");

        Assert.Contains("Loaded image: arch/skopeo:docker", await Docker.RunOkAsync("load", "-i", dockerArchive), StringComparison.Ordinal);
        Assert.Contains("Loaded image: arch/skopeo:oci", await Docker.RunOkAsync("load", "-i", ociArchive), StringComparison.Ordinal);
        // docker-archive keeps the config bytes, so the id; skopeo rewrites the config as an OCI
        // config (Docker-only fields dropped), so the id changes but the layer DiffIDs do not.
        Assert.Equal(id, await IdOfAsync("arch/skopeo:docker"));
        string layers = await Docker.RunOkAsync("image", "inspect", "--format", "{{json .RootFS.Layers}}", "arch/skopeo:src");
        Assert.Equal(layers, await Docker.RunOkAsync("image", "inspect", "--format", "{{json .RootFS.Layers}}", "arch/skopeo:oci"));
    }

    [Fact]
    public async Task Loads_an_archive_larger_than_the_default_request_body_limit()
    {
        // Kestrel refuses bodies over 30 MB unless the endpoint lifts the limit.
        string layerPath = ArchiveFiles.Write(Path.Combine(ScratchDir, "big-layer.tar"), ("big", RandomNumberGenerator.GetBytes(40 << 20)));
        byte[] layer = File.ReadAllBytes(layerPath);
        byte[] config = ConfigFor(layer);
        string tar = WriteTar("big.tar",
            ("l/layer.tar", layer), ("c.json", config),
            ("manifest.json", """[{"Config":"c.json","RepoTags":["arch/big:1"],"Layers":["l/layer.tar"]}]"""u8.ToArray()));
        Assert.Contains("Loaded image: arch/big:1", await Docker.RunOkAsync("load", "-i", tar), StringComparison.Ordinal);
        Assert.Equal("sha256:" + Hex(config), await IdOfAsync("arch/big:1"));
    }

    [Fact]
    public async Task Load_progress_stream_when_not_quiet()
    {
        // A layer of its own: a layer that exists already is not loaded again, so shows no progress.
        string unique = ArchiveFiles.Write(Path.Combine(ScratchDir, "unique.tar"), ("progress", RandomNumberGenerator.GetBytes(3 << 20)));
        await Docker.RunOkAsync("import", unique, "arch/progress:1");
        string tar = Path.Combine(ScratchDir, "p.tar");
        await Docker.RunOkAsync("save", "-o", tar, "arch/progress:1");
        await Docker.RunOkAsync("rmi", "arch/progress:1");
        using var http = Daemon.Http();
        var response = await http.SendAsync(HttpMethod.Post, "/images/load?quiet=0", new ByteArrayContent(File.ReadAllBytes(tar)));
        Assert.Equal(200, response.StatusCode);
        Assert.Contains("\"status\":\"Loading layer\"", response.Body, StringComparison.Ordinal);
        Assert.Contains("{\"stream\":\"Loaded image: arch/progress:1\\n\"}\r\n", response.Body, StringComparison.Ordinal);
    }

    private async Task RunOkAsync(string file, params string[] args)
    {
        var result = await ProcessRunner.RunAsync(file, args, timeout: TimeSpan.FromMinutes(2));
        result.EnsureSuccess();
    }

    internal static byte[] ConfigFor(params byte[][] layers) => Encoding.UTF8.GetBytes(
        $$"""{"architecture":"amd64","os":"linux","config":{"Cmd":["sh"]},"rootfs":{"type":"layers","diff_ids":[{{string.Join(",", layers.Select(l => $"\"sha256:{Hex(l)}\""))}}]},"history":[{"created_by":"hand-made"}]}""");

    internal static string Hex(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    internal static byte[] Gzip(byte[] bytes)
    {
        var output = new MemoryStream();
        using (var gz = new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true))
        {
            gz.Write(bytes);
        }
        return output.ToArray();
    }

    private string WriteTar(string name, params (string Name, byte[] Content)[] members) =>
        ArchiveFiles.Write(Path.Combine(ScratchDir, name), members);
}

/// <summary>Writes hand-made archives (files, and symlinks given as "-> target").</summary>
internal static class ArchiveFiles
{
    public static string Write(string path, params (string Name, byte[] Content)[] members)
    {
        using var file = File.Create(path);
        using var writer = new TarWriter(file, TarEntryFormat.Pax);
        foreach (var (name, content) in members)
        {
            string text = content.Length < 300 ? Encoding.UTF8.GetString(content) : "";
            writer.WriteEntry(text.StartsWith("-> ", StringComparison.Ordinal)
                ? new PaxTarEntry(TarEntryType.SymbolicLink, name) { LinkName = text[3..] }
                : new PaxTarEntry(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(content) });
        }
        return path;
    }
}
