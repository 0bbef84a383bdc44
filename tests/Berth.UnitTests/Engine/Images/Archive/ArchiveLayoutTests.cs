using Berth.Engine.Images.Archive;

namespace Berth.UnitTests.Engine.Images.Archive;

public sealed class ArchiveLayoutTests
{
    [Theory]
    [InlineData("docker.io/library/busybox:latest", "latest", "busybox:latest")]
    [InlineData(null, "localhost:5000/app:v1", "localhost:5000/app:v1")]
    [InlineData(null, "busybox:1.36", "busybox:1.36")]
    [InlineData(null, "latest", null)]
    [InlineData(null, null, null)]
    public void Names_come_from_the_containerd_annotation_or_a_whole_ref_name(string? imageName, string? refName, string? expected)
    {
        var annotations = new Dictionary<string, string>();
        if (imageName is not null)
        {
            annotations[MediaTypes.ContainerdImageName] = imageName;
        }
        if (refName is not null)
        {
            annotations[MediaTypes.OciRefName] = refName;
        }
        var name = ArchiveLayout.NameOf(new OciDescriptor { Annotations = annotations });
        Assert.Equal(expected, name?.FamiliarString);
    }

    [Fact]
    public async Task Spool_resolves_chained_symlinks_and_hard_links_inside_the_archive()
    {
        var tar = ArchiveBuilder.Tar(
            ("a/layer.tar", "content"),
            ("b/layer.tar", "-> ../a/layer.tar"),
            ("c/layer.tar", "-> ../b/layer.tar"));
        var root = Path.Combine(Path.GetTempPath(), "berth-spool-" + Guid.NewGuid().ToString("N"));
        try
        {
            using (var spool = await ArchiveSpool.ReadAsync(new MemoryStream(tar), root, CancellationToken.None))
            {
                Assert.Equal("a/layer.tar", spool.Find("c/layer.tar")?.Name);
                Assert.Null(spool.Find("d/layer.tar"));
                Assert.Single(Directory.GetDirectories(root));
            }
            Assert.Empty(Directory.GetDirectories(root));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public async Task Spool_refuses_a_member_named_outside_the_root()
    {
        var tar = ArchiveBuilder.Tar(("../escape", "x"));
        var root = Path.Combine(Path.GetTempPath(), "berth-spool-" + Guid.NewGuid().ToString("N"));
        try
        {
            var e = await Assert.ThrowsAsync<Berth.Engine.Errors.DaemonException>(() => ArchiveSpool.ReadAsync(new MemoryStream(tar), root, CancellationToken.None));
            Assert.Contains("outside the archive", e.Message, StringComparison.Ordinal);
            Assert.Empty(Directory.GetDirectories(root));
            Assert.False(File.Exists(Path.Combine(root, "..", "escape")));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }
}
