using System.Text;
using System.Text.Json;
using Berth.Engine.Errors;
using Berth.Engine.Images;
using Berth.Engine.Images.Archive;

namespace Berth.UnitTests.Engine.Images.Archive;

public sealed class ImageSaveLoadTests : IDisposable
{
    private readonly ArchiveTestKit _kit = new();

    public void Dispose() => _kit.Dispose();

    private static JsonElement Json(byte[] bytes) => JsonDocument.Parse(bytes).RootElement;

    [Fact]
    public async Task Save_writes_the_Docker_25_layout_and_load_restores_the_same_id_and_tags()
    {
        var id = _kit.Import("busybox:latest", "one");
        var tar = await _kit.SaveAsync("busybox:latest");
        var members = ArchiveBuilder.Members(tar);
        var diffId = Assert.Single(_kit.Layers.Layers.Values).Info.DiffId;

        Assert.Equal("""{"imageLayoutVersion": "1.0.0"}""", Encoding.UTF8.GetString(members["oci-layout"]));
        var manifest = Json(members["manifest.json"])[0];
        Assert.Equal("blobs/sha256/" + id.Hex, manifest.GetProperty("Config").GetString());
        Assert.Equal("busybox:latest", manifest.GetProperty("RepoTags")[0].GetString());
        Assert.Equal("blobs/sha256/" + diffId.Hex, manifest.GetProperty("Layers")[0].GetString());
        Assert.Equal(diffId.Hex, Json(members["repositories"]).GetProperty("busybox").GetProperty("latest").GetString());
        var index = Json(members["index.json"]).GetProperty("manifests")[0];
        Assert.Equal("docker.io/library/busybox:latest", index.GetProperty("annotations").GetProperty(MediaTypes.ContainerdImageName).GetString());
        Assert.Equal("latest", index.GetProperty("annotations").GetProperty(MediaTypes.OciRefName).GetString());
        var ociManifest = Json(members["blobs/sha256/" + index.GetProperty("digest").GetString()![7..]]);
        Assert.Equal(id.ToString(), ociManifest.GetProperty("config").GetProperty("digest").GetString());
        Assert.Equal(MediaTypes.OciLayer, ociManifest.GetProperty("layers")[0].GetProperty("mediaType").GetString());
        Assert.Equal(diffId, Digest.Compute(members["blobs/sha256/" + diffId.Hex]));

        using var other = new ArchiveTestKit();
        var lines = await other.LoadAsync(tar);
        Assert.Equal(["Loaded image: busybox:latest"], lines);
        var loaded = other.Service.Inspect("busybox:latest");
        Assert.Equal(id, loaded.Id);
        Assert.Equal(["busybox:latest"], loaded.RepoTags);
        Assert.Equal("spools=0", other.Snapshot().Split('\n')[3]);
    }

    [Fact]
    public async Task Two_images_sharing_a_layer_write_it_once()
    {
        var first = _kit.Import("a:1", "shared");
        // Same layer, different config (the import time differs).
        _kit.Clock.SetUnixNanoseconds(1_800_000_000L * 1_000_000_000);
        var second = _kit.Import("b:2", "shared");
        Assert.NotEqual(first, second);
        var members = ArchiveBuilder.Members(await _kit.SaveAsync("a:1", "b:2"));
        var layerBlobs = members.Keys.Where(k => k.StartsWith("blobs/sha256/", StringComparison.Ordinal) && Encoding.UTF8.GetString(members[k]).Contains("shared", StringComparison.Ordinal)).ToList();
        Assert.Single(layerBlobs);
        Assert.Equal(2, Json(members["manifest.json"]).GetArrayLength());

        using var other = new ArchiveTestKit();
        Assert.Equal(["Loaded image: a:1", "Loaded image: b:2"], await other.LoadAsync(ArchiveBuilder.Gzip(await _kit.SaveAsync("a:1", "b:2"))));
        Assert.Single(other.Layers.Layers);
    }

    [Fact]
    public async Task Saving_by_id_writes_no_tags_and_a_bare_index_entry()
    {
        var id = _kit.Import("busybox:latest", "x");
        var members = ArchiveBuilder.Members(await _kit.SaveAsync(id.Hex[..12]));
        var manifest = Json(members["manifest.json"])[0];
        Assert.Equal(JsonValueKind.Null, manifest.GetProperty("RepoTags").ValueKind);
        Assert.False(members.ContainsKey("repositories"));
        Assert.False(Json(members["index.json"]).GetProperty("manifests")[0].TryGetProperty("annotations", out _));

        using var other = new ArchiveTestKit();
        Assert.Equal([$"Loaded image ID: {id}"], await other.LoadAsync(await _kit.SaveAsync(id.ToString())));
        Assert.Empty(other.Service.Inspect(id.ToString()).RepoTags);
    }

    [Fact]
    public async Task Saving_a_repository_name_saves_all_its_tags_and_emits_save_events()
    {
        var id = _kit.Import("app:1", "x");
        _kit.Service.Tag("app:1", "app", "2");
        var manifest = Json(ArchiveBuilder.Members(await _kit.SaveAsync("app"))["manifest.json"]);
        Assert.Equal(["app:1", "app:2"], manifest[0].GetProperty("RepoTags").EnumerateArray().Select(e => e.GetString()).Order());
        using var sub = _kit.Events.Subscribe();
        Assert.Contains(sub.History, e => e.Action == "save" && e.ActorId == id.ToString());
    }

    [Fact]
    public async Task Unknown_names_fail_before_any_output()
    {
        bool started = false;
        await Assert.ThrowsAsync<DaemonException>(() => _kit.Service.SaveAsync(["nope:1"], _ => { started = true; return Task.FromResult<Stream>(new MemoryStream()); }, CancellationToken.None));
        Assert.False(started);
    }

    [Fact]
    public async Task Loading_a_tag_that_exists_moves_it_and_leaves_the_old_image_dangling()
    {
        var old = _kit.Import("app:1", "old");
        using var source = new ArchiveTestKit();
        var fresh = source.Import("app:1", "new");
        var lines = await _kit.LoadAsync(await source.SaveAsync("app:1"), progress: true);
        Assert.Contains($"The image app:1 already exists, renaming the old one with ID {old} to empty string", lines);
        Assert.Equal("Loaded image: app:1", lines[^1]);
        Assert.Contains(lines, l => l.StartsWith("progress ", StringComparison.Ordinal));
        Assert.Equal(fresh, _kit.Service.Inspect("app:1").Id);
        Assert.Empty(_kit.Service.Inspect(old.ToString()).RepoTags);
        using var sub = _kit.Events.Subscribe();
        Assert.Contains(sub.History, e => e.Action == "load" && e.ActorId == fresh.ToString());
    }

    [Fact]
    public async Task Loads_a_dockerd_20_10_legacy_archive_with_symlinked_layers()
    {
        var layer1 = ArchiveBuilder.LayerTar(("bin/sh", "shell"));
        var layer2 = ArchiveBuilder.LayerTar(("etc/motd", "hi"));
        var config = ArchiveBuilder.Config(ArchiveBuilder.HostArch, layer1, layer2, layer1);
        string id = ArchiveBuilder.Hex(config);
        var tar = ArchiveBuilder.Tar(
            ("1111/VERSION", "1.0"), ("1111/json", "{}"), ("1111/layer.tar", layer1),
            ("2222/VERSION", "1.0"), ("2222/json", "{}"), ("2222/layer.tar", layer2),
            ("3333/VERSION", "1.0"), ("3333/json", "{}"), ("3333/layer.tar", "-> ../1111/layer.tar"),
            (id + ".json", config),
            ("manifest.json", $$"""[{"Config":"{{id}}.json","RepoTags":["legacy:20.10"],"Layers":["1111/layer.tar","2222/layer.tar","3333/layer.tar"]}]"""),
            ("repositories", """{"legacy":{"20.10":"3333"}}"""));
        Assert.Equal(["Loaded image: legacy:20.10"], await _kit.LoadAsync(tar));
        Assert.Equal("sha256:" + id, _kit.Service.Inspect("legacy:20.10").Id.ToString());
        Assert.Equal(3, _kit.Layers.Layers.Count);
    }

    [Fact]
    public async Task Loads_an_OCI_layout_with_a_gzip_layer_picking_the_host_platform_from_a_nested_index()
    {
        var layer = ArchiveBuilder.LayerTar(("hello", "world"));
        var gz = ArchiveBuilder.Gzip(layer);
        var config = ArchiveBuilder.Config(ArchiveBuilder.HostArch, layer);
        var otherConfig = ArchiveBuilder.Config("s390x", layer);
        byte[] Manifest(byte[] c) => Encoding.UTF8.GetBytes(
            $$"""{"schemaVersion":2,"mediaType":"{{MediaTypes.OciManifest}}","config":{"mediaType":"{{MediaTypes.OciConfig}}","digest":"sha256:{{ArchiveBuilder.Hex(c)}}","size":{{c.Length}}},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"sha256:{{ArchiveBuilder.Hex(gz)}}","size":{{gz.Length}}}]}""");
        var mine = Manifest(config);
        var theirs = Manifest(otherConfig);
        string Desc(byte[] m, string arch) => $$$"""{"mediaType":"{{{MediaTypes.OciManifest}}}","digest":"sha256:{{{ArchiveBuilder.Hex(m)}}}","size":{{{m.Length}}},"platform":{"os":"linux","architecture":"{{{arch}}}"}}""";
        var nested = Encoding.UTF8.GetBytes($$"""{"schemaVersion":2,"mediaType":"{{MediaTypes.OciIndex}}","manifests":[{{Desc(theirs, "s390x")}},{{Desc(mine, ArchiveBuilder.HostArch)}}]}""");
        var index = $$$"""{"schemaVersion":2,"manifests":[{"mediaType":"{{{MediaTypes.OciIndex}}}","digest":"sha256:{{{ArchiveBuilder.Hex(nested)}}}","size":{{{nested.Length}}},"annotations":{"org.opencontainers.image.ref.name":"localhost:5000/multi:v1"}}]}""";
        var tar = ArchiveBuilder.Tar(
            ("oci-layout", """{"imageLayoutVersion":"1.0.0"}"""),
            ("index.json", index),
            ("blobs/sha256/" + ArchiveBuilder.Hex(nested), nested),
            ("blobs/sha256/" + ArchiveBuilder.Hex(mine), mine),
            ("blobs/sha256/" + ArchiveBuilder.Hex(theirs), theirs),
            ("blobs/sha256/" + ArchiveBuilder.Hex(config), config),
            ("blobs/sha256/" + ArchiveBuilder.Hex(otherConfig), otherConfig),
            ("blobs/sha256/" + ArchiveBuilder.Hex(gz), gz));
        Assert.Equal(["Loaded image: localhost:5000/multi:v1"], await _kit.LoadAsync(tar));
        Assert.Equal("sha256:" + ArchiveBuilder.Hex(config), _kit.Service.Inspect("localhost:5000/multi:v1").Id.ToString());
    }

    [Fact]
    public async Task Zstd_compressed_archives_load()
    {
        _kit.Import("z:1", "zz");
        var tar = await _kit.SaveAsync("z:1");
        using var compressor = new ZstdSharp.Compressor();
        using var other = new ArchiveTestKit();
        Assert.Equal(["Loaded image: z:1"], await other.LoadAsync(compressor.Wrap(tar).ToArray()));
    }
}
