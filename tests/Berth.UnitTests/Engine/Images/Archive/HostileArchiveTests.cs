using Berth.Engine.Errors;

namespace Berth.UnitTests.Engine.Images.Archive;

/// <summary>Bad archives fail with a clear message and leave the store exactly as it was.</summary>
public sealed class HostileArchiveTests : IDisposable
{
    private readonly ArchiveTestKit _kit = new();
    private readonly byte[] _layer = ArchiveBuilder.LayerTar(("f", "data"));

    public HostileArchiveTests()
    {
        _kit.Import("existing:1", "keep me");
    }

    public void Dispose() => _kit.Dispose();

    private async Task<string> FailsCleanly(byte[] archive)
    {
        string before = _kit.Snapshot();
        var e = await Assert.ThrowsAsync<DaemonException>(() => _kit.LoadAsync(archive));
        Assert.Equal(before, _kit.Snapshot());
        return e.Message;
    }

    private byte[] DockerArchive(string configPath, byte[] config, string layerPath, params (string, object)[] extra) =>
        ArchiveBuilder.Tar([
            .. extra,
            (configPath, config),
            ("manifest.json", $$"""[{"Config":"{{configPath}}","RepoTags":["evil:1"],"Layers":["{{layerPath}}"]}]"""),
        ]);

    [Fact]
    public async Task Manifest_pointing_outside_the_archive()
    {
        var config = ArchiveBuilder.Config(ArchiveBuilder.HostArch, _layer);
        var message = await FailsCleanly(DockerArchive("c.json", config, "../../etc/passwd", ("l.tar", _layer)));
        Assert.Contains("outside the archive", message, StringComparison.Ordinal);
        message = await FailsCleanly(ArchiveBuilder.Tar(("manifest.json", """[{"Config":"/etc/passwd","Layers":[]}]""")));
        Assert.Contains("outside the archive", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Layer_whose_DiffID_does_not_match_the_config()
    {
        var other = ArchiveBuilder.LayerTar(("f", "tampered"));
        var config = ArchiveBuilder.Config(ArchiveBuilder.HostArch, _layer, _layer);
        var tar = ArchiveBuilder.Tar(
            ("a.tar", _layer), ("b.tar", other), ("c.json", config),
            ("manifest.json", """[{"Config":"c.json","RepoTags":["evil:1"],"Layers":["a.tar","b.tar"]}]"""));
        // The first layer was applied before the second failed: it must be collected again.
        Assert.Contains("does not match", await FailsCleanly(tar), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Config_whose_digest_does_not_match_its_name()
    {
        var config = ArchiveBuilder.Config(ArchiveBuilder.HostArch, _layer);
        var message = await FailsCleanly(DockerArchive("blobs/sha256/" + new string('a', 64), config, "l.tar", ("l.tar", _layer)));
        Assert.Contains("has digest", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Truncated_gzip_archive()
    {
        _kit.Import("src:1", new string('x', 100_000));
        var archive = ArchiveBuilder.Gzip(await _kit.SaveAsync("src:1"));
        _kit.Service.Delete("src:1", force: false, noPrune: false);
        var message = await FailsCleanly(archive[..(archive.Length / 2)]);
        Assert.Contains("invalid archive", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Symlink_member_escaping_the_archive()
    {
        var config = ArchiveBuilder.Config(ArchiveBuilder.HostArch, _layer);
        var message = await FailsCleanly(DockerArchive("c.json", config, "l.tar", ("l.tar", "-> ../../../etc/passwd")));
        Assert.Contains("points outside the archive", message, StringComparison.Ordinal);
        message = await FailsCleanly(DockerArchive("c.json", config, "l.tar", ("l.tar", "-> /etc/shadow")));
        Assert.Contains("points outside the archive", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Missing_manifest_layer_count_mismatch_and_bad_tags()
    {
        Assert.Contains("does not contain a manifest.json", await FailsCleanly(ArchiveBuilder.Tar(("x", "y"))), StringComparison.Ordinal);
        Assert.Contains("does not contain a manifest.json", await FailsCleanly([]), StringComparison.Ordinal);
        var config = ArchiveBuilder.Config(ArchiveBuilder.HostArch, _layer);
        var tar = ArchiveBuilder.Tar(("c.json", config), ("manifest.json", """[{"Config":"c.json","Layers":[]}]"""));
        Assert.Contains("layers length mismatch", await FailsCleanly(tar), StringComparison.Ordinal);
        tar = ArchiveBuilder.Tar(("c.json", config), ("l.tar", _layer), ("manifest.json", """[{"Config":"c.json","RepoTags":["UPPER:1"],"Layers":["l.tar"]}]"""));
        await FailsCleanly(tar);
        Assert.Contains("cannot be null", await FailsCleanly(ArchiveBuilder.Tar(("manifest.json", "null"))), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Oci_blob_that_does_not_match_its_descriptor()
    {
        var config = ArchiveBuilder.Config(ArchiveBuilder.HostArch, _layer);
        var manifest = System.Text.Encoding.UTF8.GetBytes(
            $$"""{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"digest":"sha256:{{ArchiveBuilder.Hex(config)}}","size":{{config.Length}}},"layers":[{"digest":"sha256:{{ArchiveBuilder.Hex(_layer)}}","size":{{_layer.Length}}}]}""");
        var tar = ArchiveBuilder.Tar(
            ("index.json", $$"""{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:{{ArchiveBuilder.Hex(manifest)}}","size":{{manifest.Length}}}]}"""),
            ("blobs/sha256/" + ArchiveBuilder.Hex(manifest), manifest),
            ("blobs/sha256/" + ArchiveBuilder.Hex(config), config),
            ("blobs/sha256/" + ArchiveBuilder.Hex(_layer), ArchiveBuilder.LayerTar(("f", "swapped"))));
        Assert.Contains("does not match its descriptor", await FailsCleanly(tar), StringComparison.Ordinal);
    }
}
