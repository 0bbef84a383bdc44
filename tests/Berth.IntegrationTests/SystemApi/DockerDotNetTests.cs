using Berth.IntegrationTests.Harness;

namespace Berth.IntegrationTests.SystemApi;

/// <summary>The Docker.DotNet.Enhanced client (what Testcontainers for .NET uses) against berthd.</summary>
public sealed class DockerDotNetTests : IClassFixture<BerthDaemon>, IDisposable
{
    private readonly BerthDaemon _daemon;
    private readonly IDisposable _log;

    public DockerDotNetTests(BerthDaemon daemon, ITestOutputHelper output)
    {
        _daemon = daemon;
        _log = daemon.LogTo(output);
    }

    public void Dispose() => _log.Dispose();

    public static TheoryData<string?> ApiVersions => new() { null, "1.44", "1.24" };

    [Theory]
    [MemberData(nameof(ApiVersions))]
    public async Task GetVersion_ReportsEngineAndApiRange(string? pinned)
    {
        using var client = _daemon.CreateClient(pinned is null ? null : Version.Parse(pinned));
        string expected = await BerthDaemon.GetBinaryVersionAsync();

        var version = await client.System.GetVersionAsync();

        Assert.Equal(expected, version.Version);
        Assert.Equal("1.44", version.APIVersion);
        Assert.Equal("1.24", version.MinAPIVersion);
        Assert.Equal("linux", version.Os);
        Assert.Contains(version.Components ?? [], c => c.Name == "Engine");
    }

    [Theory]
    [MemberData(nameof(ApiVersions))]
    public async Task GetSystemInfo_ReportsDaemonIdAndDriver(string? pinned)
    {
        using var client = _daemon.CreateClient(pinned is null ? null : Version.Parse(pinned));
        string id = (await _daemon.InfoAsync()).GetProperty("ID").GetString()!;

        var info = await client.System.GetSystemInfoAsync();

        Assert.Equal(id, info.ID);
        Assert.Equal("overlay2", info.Driver);
        Assert.Equal(_daemon.DataRoot, info.DockerRootDir);
        Assert.Equal(await BerthDaemon.GetBinaryVersionAsync(), info.ServerVersion);
    }

    [Fact]
    public async Task Ping_PinnedTo144_Succeeds()
    {
        using var client = _daemon.CreateClient(new Version(1, 44));
        await client.System.PingAsync();
    }
}
