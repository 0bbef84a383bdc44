using Berth.IntegrationTests.Harness;

namespace Berth.IntegrationTests.Images;

/// <summary>Prune, df and restart behaviour: each test owns its daemon, since prune -a empties it.</summary>
public sealed class ImagePruneTests : IDisposable
{
    private readonly ITestOutputHelper _output;
    private readonly string _dir = Directory.CreateTempSubdirectory("berth-prune-").FullName;

    public ImagePruneTests(ITestOutputHelper output)
    {
        _output = output;
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Tar() => TestImages.BusyboxRootfsTar(Path.Combine(_dir, "rootfs.tar"));

    [Fact]
    public async Task Prune_DanglingThenAll_AndSystemDf()
    {
        await using var daemon = await BerthDaemon.StartNewAsync(_output);
        using var docker = daemon.Cli(_output);
        string tagged = (await docker.RunOkAsync("import", Tar(), "keep:1")).Trim();
        string dangling = (await docker.RunOkAsync("import", "-m", "no tag", Tar())).Trim();

        Assert.Equal(dangling[7..19], (await docker.RunOkAsync("images", "-q", "--filter", "dangling=true")).Trim());
        string df = await docker.RunOkAsync("system", "df", "--format", "{{.Type}} {{.TotalCount}}");
        Assert.Contains("Images 2", df, StringComparison.Ordinal);

        string pruned = await docker.RunOkAsync("image", "prune", "-f");
        Assert.Contains("deleted: " + dangling, pruned, StringComparison.Ordinal); // the CLI lowercases prune lines
        Assert.Empty((await docker.RunOkAsync("images", "-q", "--filter", "dangling=true")).Trim());

        string all = await docker.RunOkAsync("image", "prune", "-af");
        Assert.Contains("untagged: keep:1", all, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("deleted: " + tagged, all, StringComparison.OrdinalIgnoreCase);
        Assert.Empty((await docker.RunOkAsync("images", "-aq")).Trim());
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(daemon.DataRoot, "content", "sha256")));
    }

    [Fact]
    public async Task Images_SurviveRestart_AndCountInInfo()
    {
        await using var daemon = await BerthDaemon.StartNewAsync(_output);
        using var docker = daemon.Cli(_output);
        string id = (await docker.RunOkAsync("import", Tar(), "persist:1")).Trim();

        daemon.KillHard();
        await daemon.RestartAsync();

        Assert.Equal(id[7..19], (await docker.RunOkAsync("images", "-q", "persist:1")).Trim());
        var info = await daemon.InfoAsync();
        Assert.Equal(1, info.GetProperty("Images").GetInt32());
        Assert.Contains("Imported from -", await docker.RunOkAsync("history", "persist:1"), StringComparison.Ordinal);
    }
}
