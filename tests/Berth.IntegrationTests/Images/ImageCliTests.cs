using System.Text.Json;
using Berth.IntegrationTests.Harness;

namespace Berth.IntegrationTests.Images;

/// <summary>docker import / tag / images / inspect / history / rmi / events against one daemon.</summary>
public sealed class ImageCliTests : CliTestBase<BerthDaemon>, IClassFixture<BerthDaemon>
{
    public ImageCliTests(BerthDaemon daemon, ITestOutputHelper output)
        : base(daemon, output)
    {
    }

    private async Task<string> ImportAsync(string reference, params string[] extra)
    {
        string tar = TestImages.BusyboxRootfsTar(Path.Combine(ScratchDir, "rootfs.tar"));
        string id = (await Docker.RunOkAsync(["import", .. extra, tar, reference])).Trim();
        Assert.StartsWith("sha256:", id, StringComparison.Ordinal);
        return id;
    }

    [Fact]
    public async Task Import_ThenImagesInspectHistory()
    {
        string id = await ImportAsync("busybox:test", "-c", "CMD [\"/bin/sh\"]", "-c", "ENV A=1", "-c", "LABEL tier=it");

        string images = await Docker.RunOkAsync("images", "--format", "{{.Repository}} {{.Tag}} {{.ID}}");
        Assert.Contains($"busybox test {id[7..19]}", images, StringComparison.Ordinal);
        string filtered = await Docker.RunOkAsync("images", "--filter", "reference=busybox:*", "--format", "{{.Repository}}:{{.Tag}}");
        Assert.Contains("busybox:test", filtered, StringComparison.Ordinal);
        Assert.Empty((await Docker.RunOkAsync("images", "--filter", "reference=nomatch*", "-q")).Trim());
        string digests = await Docker.RunOkAsync("images", "--digests", "--format", "{{.Repository}} {{.Digest}}");
        Assert.Contains("busybox <none>", digests, StringComparison.Ordinal);

        var inspect = JsonDocument.Parse(await Docker.RunOkAsync("image", "inspect", "busybox:test")).RootElement[0];
        Assert.Equal(id, inspect.GetProperty("Id").GetString());
        Assert.Equal("busybox:test", inspect.GetProperty("RepoTags")[0].GetString());
        Assert.Equal("/bin/sh", inspect.GetProperty("Config").GetProperty("Cmd")[0].GetString());
        Assert.Equal("A=1", inspect.GetProperty("Config").GetProperty("Env")[0].GetString());
        Assert.Equal("it", inspect.GetProperty("Config").GetProperty("Labels").GetProperty("tier").GetString());
        Assert.Equal("Imported from -", inspect.GetProperty("Comment").GetString());
        Assert.Equal("linux", inspect.GetProperty("Os").GetString());
        Assert.Equal("overlay2", inspect.GetProperty("GraphDriver").GetProperty("Name").GetString());
        Assert.True(inspect.GetProperty("GraphDriver").GetProperty("Data").TryGetProperty("UpperDir", out _));
        Assert.Equal(1, inspect.GetProperty("RootFS").GetProperty("Layers").GetArrayLength());
        Assert.True(inspect.GetProperty("Size").GetInt64() > 0);
        Assert.NotEqual("0001-01-01T00:00:00Z", inspect.GetProperty("Metadata").GetProperty("LastTagTime").GetString());

        string history = await Docker.RunOkAsync("history", "--no-trunc", "--format", "{{.ID}}|{{.Comment}}", "busybox:test");
        Assert.Equal($"{id}|Imported from -", history.Trim());
    }

    [Fact]
    public async Task Tag_Rmi_UntagThenDelete_AndConflicts()
    {
        string id = await ImportAsync("rmi:one");
        await Docker.RunOkAsync("tag", "rmi:one", "rmi:two");
        await Docker.RunOkAsync("tag", id, "localhost:5000/team/rmi");

        Assert.Contains("Untagged: rmi:one", await Docker.RunOkAsync("rmi", "rmi:one"), StringComparison.Ordinal);

        var conflict = await Docker.RunAsync("rmi", id[7..19]);
        Assert.NotEqual(0, conflict.ExitCode);
        Assert.Contains($"conflict: unable to delete {id[7..19]} (must be forced) - image is referenced in multiple repositories", conflict.Stderr, StringComparison.Ordinal);

        string forced = await Docker.RunOkAsync("rmi", "-f", id[7..19]);
        Assert.Contains("Untagged: localhost:5000/team/rmi:latest", forced, StringComparison.Ordinal);
        Assert.Contains("Untagged: rmi:two", forced, StringComparison.Ordinal);
        Assert.Contains("Deleted: " + id, forced, StringComparison.Ordinal);

        var gone = await Docker.RunAsync("image", "inspect", id);
        Assert.Contains("No such image", gone.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Events_ShowImportTagUntagDelete()
    {
        long since = DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 1;
        string id = await ImportAsync("events:a");
        await Docker.RunOkAsync("tag", "events:a", "events:b");
        await Docker.RunOkAsync("rmi", "events:a");
        await Docker.RunOkAsync("rmi", "events:b");
        long until = DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 1;

        string events = await Docker.RunOkAsync("events", "--since", since.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--until", until.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--filter", "type=image", "--filter", "image=" + id, "--format", "{{.Action}} {{.Actor.Attributes.name}}");
        var lines = events.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["tag events:a", "import " + id, "tag events:b", "untag " + id, "untag " + id, "delete " + id], lines);
    }
}
