using System.Text.Json;
using Berth.IntegrationTests.Harness;

namespace Berth.IntegrationTests.Volumes;

/// <summary>docker volume create / ls / inspect / rm / prune through the real CLI against one daemon.</summary>
public sealed class VolumeCliTests : CliTestBase<BerthDaemon>, IClassFixture<BerthDaemon>
{
    public VolumeCliTests(BerthDaemon daemon, ITestOutputHelper output)
        : base(daemon, output)
    {
    }

    private async Task<string[]> LsAsync(params string[] filters)
    {
        var args = new List<string> { "volume", "ls", "-q" };
        foreach (var f in filters)
        {
            args.Add("--filter");
            args.Add(f);
        }
        return (await Docker.RunOkAsync([.. args])).Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }

    [Fact]
    public async Task CreateInspectListRemove()
    {
        Assert.Equal("v1", (await Docker.RunOkAsync("volume", "create", "v1", "--label", "a=b")).Trim());
        await Docker.RunOkAsync("volume", "create", "other-vol");

        var inspect = JsonDocument.Parse(await Docker.RunOkAsync("volume", "inspect", "v1")).RootElement[0];
        string mountpoint = inspect.GetProperty("Mountpoint").GetString()!;
        Assert.Equal(Path.Combine(Daemon.DataRoot, "volumes", "v1", "_data"), mountpoint);
        Assert.True(Directory.Exists(mountpoint));
        Assert.Equal("local", inspect.GetProperty("Driver").GetString());
        Assert.Equal("local", inspect.GetProperty("Scope").GetString());
        Assert.Equal("b", inspect.GetProperty("Labels").GetProperty("a").GetString());
        var created = DateTimeOffset.Parse(inspect.GetProperty("CreatedAt").GetString()!, System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(created, DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddMinutes(1));

        Assert.Contains("v1", await LsAsync());
        Assert.Contains("v1", await LsAsync("dangling=true"));
        Assert.DoesNotContain("v1", await LsAsync("dangling=false"));
        Assert.Equal(["v1"], await LsAsync("label=a=b"));
        Assert.Equal(["v1"], await LsAsync("label=a"));
        Assert.Empty(await LsAsync("label=a=c"));
        Assert.Contains("v1", await LsAsync("name=v"));
        Assert.DoesNotContain("other-vol", await LsAsync("name=v1"));
        Assert.Contains("v1", await LsAsync("driver=local"));

        var table = await Docker.RunOkAsync("volume", "ls", "--filter", "name=v1");
        Assert.Contains("DRIVER    VOLUME NAME", table, StringComparison.Ordinal);
        Assert.Contains("local     v1", table, StringComparison.Ordinal);

        Assert.Equal("v1", (await Docker.RunOkAsync("volume", "rm", "v1")).Trim());
        Assert.False(Directory.Exists(Path.Combine(Daemon.DataRoot, "volumes", "v1")));
        var gone = await Docker.RunAsync("volume", "inspect", "v1");
        Assert.Equal(1, gone.ExitCode);
        Assert.Contains("get v1: no such volume", gone.Stderr, StringComparison.Ordinal);
        (await Docker.RunAsync("volume", "rm", "-f", "v1")).EnsureSuccess();
        await Docker.RunOkAsync("volume", "rm", "other-vol");
    }

    [Fact]
    public async Task CreatingTheSameNameTwiceReturnsTheFirst()
    {
        await Docker.RunOkAsync("volume", "create", "twice", "--label", "first=1");
        await Docker.RunOkAsync("volume", "create", "twice", "--label", "second=2");
        var labels = JsonDocument.Parse(await Docker.RunOkAsync("volume", "inspect", "twice", "--format", "{{json .Labels}}")).RootElement;
        Assert.Equal("1", labels.GetProperty("first").GetString());
        Assert.False(labels.TryGetProperty("second", out _));
        await Docker.RunOkAsync("volume", "rm", "twice");
    }

    [Theory]
    [InlineData(new[] { "x" }, "create x: volume name is too short, names should be at least two alphanumeric characters")]
    [InlineData(new[] { "a:b" }, "create a:b: \"a:b\" includes invalid characters for a local volume name, only \"[a-zA-Z0-9][a-zA-Z0-9_.-]\" are allowed. If you intended to pass a host directory, use absolute path")]
    [InlineData(new[] { "-o", "foo=bar", "badopt" }, "create badopt: invalid option: \"foo\"")]
    [InlineData(new[] { "-o", "type=tmpfs", "badopt" }, "create badopt: missing required option: \"device\"")]
    [InlineData(new[] { "-o", "type=nosuchfs", "-o", "device=x", "badopt" }, "create badopt: invalid option: unknown filesystem type \"nosuchfs\"")]
    [InlineData(new[] { "-d", "rexray", "plug" }, "create plug: error looking up volume plugin rexray: plugin \"rexray\" not found")]
    public async Task CreateErrors(string[] args, string message)
    {
        var result = await Docker.RunAsync(["volume", "create", .. args]);
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("Error response from daemon: " + message, result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("badopt", await LsAsync());
    }

    [Fact]
    public async Task TmpfsVolumeIsCreatedButNotMountedUntilUsed()
    {
        await Docker.RunOkAsync("volume", "create", "-o", "type=tmpfs", "-o", "device=tmpfs", "-o", "o=size=1m", "tv");
        var options = JsonDocument.Parse(await Docker.RunOkAsync("volume", "inspect", "tv", "--format", "{{json .Options}}")).RootElement;
        Assert.Equal("tmpfs", options.GetProperty("type").GetString());
        Assert.Equal("size=1m", options.GetProperty("o").GetString());
        string data = Path.Combine(Daemon.DataRoot, "volumes", "tv", "_data");
        Assert.DoesNotContain(data, Berth.Linux.VolumeMounts.MountPoints());
        await Docker.RunOkAsync("volume", "rm", "tv");
    }

    [Fact]
    public async Task PruneRemovesAnonymousByDefaultAndUnusedNamedWithAll()
    {
        string anonymous = (await Docker.RunOkAsync("volume", "create")).Trim();
        Assert.Equal(64, anonymous.Length);
        await Docker.RunOkAsync("volume", "create", "named-prune");
        await Docker.RunOkAsync("volume", "create", "-o", "type=tmpfs", "-o", "device=tmpfs", "opts-prune");
        File.WriteAllBytes(Path.Combine(Daemon.DataRoot, "volumes", anonymous, "_data", "blob"), new byte[2048]);

        var pruned = await Docker.RunOkAsync("volume", "prune", "-f");
        Assert.Contains(anonymous, pruned, StringComparison.Ordinal);
        Assert.Contains("Total reclaimed space: 2.048kB", pruned, StringComparison.Ordinal);
        Assert.DoesNotContain("named-prune", pruned, StringComparison.Ordinal);
        var left = await LsAsync();
        Assert.DoesNotContain(anonymous, left);
        Assert.Contains("named-prune", left);

        pruned = await Docker.RunOkAsync("volume", "prune", "-f", "--all");
        Assert.Contains("named-prune", pruned, StringComparison.Ordinal);
        left = await LsAsync();
        Assert.DoesNotContain("named-prune", left);
        Assert.Contains("opts-prune", left); // volumes with driver options are never pruned
        await Docker.RunOkAsync("volume", "rm", "opts-prune");
    }

    [Fact]
    public async Task RawApiShapes()
    {
        using var http = Daemon.Http();
        var created = await http.PostJsonAsync("/v1.44/volumes/create", """{"Name":"raw-vol","Labels":{"k":"v"}}""");
        Assert.Equal(201, created.StatusCode);
        Assert.Equal("raw-vol", created.Json().GetProperty("Name").GetString());

        var list = await http.GetAsync("/v1.44/volumes?filters=" + Uri.EscapeDataString("""{"name":{"raw-vol":true}}"""));
        Assert.Contains("\"Warnings\":null", list.Body, StringComparison.Ordinal);
        Assert.Equal("raw-vol", list.Json().GetProperty("Volumes")[0].GetProperty("Name").GetString());

        var missing = await http.GetAsync("/volumes/no-such");
        Assert.Equal((404, "get no-such: no such volume"), (missing.StatusCode, missing.Message));

        var badFilter = await http.PostJsonAsync("/volumes/prune?filters=" + Uri.EscapeDataString("""{"dangling":{"true":true}}"""), "");
        Assert.Equal((400, "invalid filter 'dangling'"), (badFilter.StatusCode, badFilter.Message));

        var cluster = await http.PostJsonAsync("/v1.44/volumes/create", """{"Name":"cv","ClusterVolumeSpec":{}}""");
        Assert.Equal((503, "This node is not part of a swarm"), (cluster.StatusCode, cluster.Message));

        var delete = await http.SendAsync(HttpMethod.Delete, "/volumes/raw-vol");
        Assert.Equal(204, delete.StatusCode);
        var forced = await http.SendAsync(HttpMethod.Delete, "/volumes/raw-vol?force=1");
        Assert.Equal(204, forced.StatusCode);
    }
}
