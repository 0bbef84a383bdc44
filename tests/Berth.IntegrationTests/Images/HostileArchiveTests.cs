using System.Text;
using Berth.IntegrationTests.Harness;

namespace Berth.IntegrationTests.Images;

/// <summary>
/// docker load of bad archives: each fails with a clear error and the store is unchanged (image
/// list, content blobs, layer directories, no spool left in data-root/tmp).
/// </summary>
public sealed class HostileArchiveTests : CliTestBase<BerthDaemon>, IClassFixture<BerthDaemon>
{
    public HostileArchiveTests(BerthDaemon daemon, ITestOutputHelper output)
        : base(daemon, output)
    {
    }

    private async Task<string> SnapshotAsync()
    {
        string images = await Docker.RunOkAsync("images", "-a", "--no-trunc", "--format", "{{.ID}} {{.Repository}}:{{.Tag}}");
        string List(string sub) => Directory.Exists(Path.Combine(Daemon.DataRoot, sub))
            ? string.Join(",", Directory.GetFileSystemEntries(Path.Combine(Daemon.DataRoot, sub)).Select(Path.GetFileName).Order())
            : "";
        return $"{images}\ncontent={List("content/sha256")}\noverlay={List("overlay")}\nlinks={List("overlay/l")}\ntmp={List("tmp")}";
    }

    private async Task<string> LoadFailsCleanlyAsync(string archive)
    {
        await EnsureBaseImageAsync();
        string before = await SnapshotAsync();
        var result = await Docker.RunAsync("load", "-i", archive);
        Assert.NotEqual(0, result.ExitCode);
        Assert.Equal(before, await SnapshotAsync());
        return result.Stderr + result.Stdout;
    }

    private async Task EnsureBaseImageAsync()
    {
        if ((await Docker.RunAsync("image", "inspect", "hostile/base:1")).ExitCode != 0)
        {
            await Docker.RunOkAsync("import", TestImages.BusyboxRootfsTar(Path.Combine(ScratchDir, "rootfs.tar")), "hostile/base:1");
        }
    }

    private byte[] Layer(string content)
    {
        string path = Path.Combine(ScratchDir, "layer-src.tar");
        ArchiveFiles.Write(path, ("f", Encoding.UTF8.GetBytes(content)));
        return File.ReadAllBytes(path);
    }

    private string DockerArchive(string name, byte[] config, string configPath, string[] layerPaths, params (string, byte[])[] members)
    {
        string manifest = $$"""[{"Config":"{{configPath}}","RepoTags":["hostile/evil:1"],"Layers":[{{string.Join(",", layerPaths.Select(p => $"\"{p}\""))}}]}]""";
        return ArchiveFiles.Write(Path.Combine(ScratchDir, name), [.. members, (configPath, config), ("manifest.json", Encoding.UTF8.GetBytes(manifest))]);
    }

    [Fact]
    public async Task Manifest_pointing_at_etc_passwd()
    {
        var layer = Layer("a");
        string archive = DockerArchive("passwd.tar", ImageArchiveTests.ConfigFor(layer), "c.json", ["../../etc/passwd"], ("l.tar", layer));
        Assert.Contains("outside the archive", await LoadFailsCleanlyAsync(archive), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Layer_whose_DiffID_does_not_match_the_config()
    {
        var good = Layer("good");
        var bad = Layer("tampered");
        string archive = DockerArchive("diffid.tar", ImageArchiveTests.ConfigFor(good, good), "c.json", ["a.tar", "b.tar"], ("a.tar", good), ("b.tar", bad));
        Assert.Contains("sha256:" + ImageArchiveTests.Hex(good), await LoadFailsCleanlyAsync(archive), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Truncated_gzip_archive()
    {
        await EnsureBaseImageAsync();
        string saved = Path.Combine(ScratchDir, "full.tar");
        await Docker.RunOkAsync("save", "-o", saved, "hostile/base:1");
        var gz = ImageArchiveTests.Gzip(File.ReadAllBytes(saved));
        string truncated = Path.Combine(ScratchDir, "truncated.tar.gz");
        File.WriteAllBytes(truncated, gz[..(gz.Length / 2)]);
        await Docker.RunOkAsync("rmi", "hostile/base:1");
        Assert.Contains("invalid archive", await LoadFailsCleanlyAsync(truncated), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Symlink_member_escaping_the_temp_dir()
    {
        var layer = Layer("s");
        string archive = DockerArchive("symlink.tar", ImageArchiveTests.ConfigFor(layer), "c.json", ["l.tar"], ("l.tar", "-> ../../../../etc/shadow"u8.ToArray()));
        Assert.Contains("points outside the archive", await LoadFailsCleanlyAsync(archive), StringComparison.Ordinal);
    }
}
