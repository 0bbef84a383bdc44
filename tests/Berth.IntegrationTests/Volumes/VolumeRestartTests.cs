using System.Text.Json;
using Berth.IntegrationTests.Harness;

namespace Berth.IntegrationTests.Volumes;

/// <summary>Volumes across daemon restarts, and API-version dependent prune.</summary>
public sealed class VolumeRestartTests
{
    private readonly ITestOutputHelper _output;

    public VolumeRestartTests(ITestOutputHelper output)
    {
        _output = output;
    }

    [Fact]
    public async Task VolumesAndTheirDataSurviveRestartAndKill()
    {
        await using var daemon = await BerthDaemon.StartNewAsync(_output);
        using var docker = daemon.Cli(_output);
        await docker.RunOkAsync("volume", "create", "keep", "--label", "a=b");
        string anonymous = (await docker.RunOkAsync("volume", "create")).Trim();
        var before = JsonDocument.Parse(await docker.RunOkAsync("volume", "inspect", "keep")).RootElement[0];
        File.WriteAllText(Path.Combine(before.GetProperty("Mountpoint").GetString()!, "data.txt"), "hello");

        await daemon.RestartAsync();
        var after = JsonDocument.Parse(await docker.RunOkAsync("volume", "inspect", "keep")).RootElement[0];
        Assert.Equal(before.GetRawText(), after.GetRawText());
        Assert.Equal("hello", File.ReadAllText(Path.Combine(after.GetProperty("Mountpoint").GetString()!, "data.txt")));

        daemon.KillHard();
        await daemon.StartAsync();
        var names = (await docker.RunOkAsync("volume", "ls", "-q")).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(new[] { anonymous, "keep" }.Order(), names.Order());
        // The anonymous label persisted too: a default prune still finds it.
        Assert.Contains(anonymous, await docker.RunOkAsync("volume", "prune", "-f"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task PruneBeforeApi142RemovesNamedVolumesToo()
    {
        await using var daemon = await BerthDaemon.StartNewAsync(_output);
        using var docker = daemon.Cli(_output);
        using var http = daemon.Http();
        await docker.RunOkAsync("volume", "create", "named");

        var current = await http.PostJsonAsync("/v1.44/volumes/prune", "");
        Assert.Equal(0, current.Json().GetProperty("VolumesDeleted").GetArrayLength());

        var old = await http.PostJsonAsync("/v1.41/volumes/prune", "");
        Assert.Equal(200, old.StatusCode);
        Assert.Equal("named", old.Json().GetProperty("VolumesDeleted")[0].GetString());
        Assert.Equal(0, old.Json().GetProperty("SpaceReclaimed").GetInt64());
    }

    [Fact]
    public async Task VolumeEventsAreEmitted()
    {
        await using var daemon = await BerthDaemon.StartNewAsync(_output);
        using var docker = daemon.Cli(_output);
        await docker.RunOkAsync("volume", "create", "ev");
        await docker.RunOkAsync("volume", "rm", "ev");
        await docker.RunOkAsync("volume", "prune", "-f");
        // --until is whole seconds on the wire: events of the current second show up once it has passed.
        var lines = await Poll.ForAsync(
            async () => (await docker.RunOkAsync("system", "events", "--since", "1m", "--until", "0s", "--filter", "type=volume",
                "--format", "{{.Action}} {{.Actor.ID}} {{.Actor.Attributes.driver}}")).Split('\n', StringSplitOptions.RemoveEmptyEntries),
            l => l.Length >= 3, TimeSpan.FromSeconds(10), "three volume events");
        Assert.Equal(["create ev local", "destroy ev local"], lines.Take(2));
        Assert.StartsWith("prune", lines[2], StringComparison.Ordinal);
    }
}
