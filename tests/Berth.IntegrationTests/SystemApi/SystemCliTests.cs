using System.Text.Json;
using System.Text.RegularExpressions;
using Berth.IntegrationTests.Harness;

namespace Berth.IntegrationTests.SystemApi;

/// <summary>A daemon started with two --label flags, shared by the docker CLI system tests.</summary>
public sealed class LabeledDaemon : BerthDaemon
{
    public const string LabelA = "berth.test=cli";
    public const string LabelB = "tier=integration";

    public LabeledDaemon()
        : base(new BerthDaemonOptions { ExtraArgs = ["--label", LabelA, "--label", LabelB] })
    {
    }
}

/// <summary>docker version / info / system events, through the real docker CLI.</summary>
public sealed partial class SystemCliTests : IClassFixture<LabeledDaemon>, IDisposable
{
    private readonly LabeledDaemon _daemon;
    private readonly DockerCli _docker;
    private readonly IDisposable _log;

    public SystemCliTests(LabeledDaemon daemon, ITestOutputHelper output)
    {
        _daemon = daemon;
        _log = daemon.LogTo(output);
        _docker = daemon.Cli(output);
    }

    public void Dispose()
    {
        _docker.Dispose();
        _log.Dispose();
    }

    [Fact]
    public async Task DockerVersion_ShowsBerthEngineVersionAndApiRange()
    {
        string expected = await BerthDaemon.GetBinaryVersionAsync();

        var text = await _docker.RunAsync("version");
        Assert.True(text.ExitCode == 0, text.ToString());
        Assert.Contains("Server: Berth Engine " + expected, text.Stdout, StringComparison.Ordinal);
        Assert.Matches(EngineVersionLine(), text.Stdout);
        Assert.Contains("  Version:          " + expected, text.Stdout, StringComparison.Ordinal);
        Assert.Matches(ApiVersionLine(), text.Stdout);

        var json = await _docker.RunAsync("version", "--format", "{{json .Server}}");
        Assert.True(json.ExitCode == 0, json.ToString());
        var server = JsonDocument.Parse(json.Stdout).RootElement;
        Assert.Equal(expected, server.GetProperty("Version").GetString());
        Assert.Equal("1.44", server.GetProperty("ApiVersion").GetString());
        Assert.Equal("1.24", server.GetProperty("MinAPIVersion").GetString());
        Assert.Equal("linux", server.GetProperty("Os").GetString());
        var components = server.GetProperty("Components").EnumerateArray().Select(c => c.GetProperty("Name").GetString()).ToList();
        Assert.Contains("Engine", components);
        if (OnPath("runc"))
        {
            Assert.Contains("runc", components);
        }
        if (OnPath("conmon"))
        {
            Assert.Contains("conmon", components);
        }
    }

    [Fact]
    public async Task DockerInfo_ShowsServerFactsIdAndLabels()
    {
        string version = await BerthDaemon.GetBinaryVersionAsync();
        string id = (await _daemon.InfoAsync()).GetProperty("ID").GetString()!;
        string kernel = File.ReadAllText("/proc/sys/kernel/osrelease").Trim();

        var info = await _docker.RunAsync("info");
        Assert.True(info.ExitCode == 0, info.ToString());
        Assert.Contains("Server Version: " + version, info.Stdout, StringComparison.Ordinal);
        Assert.Contains("Storage Driver: overlay2", info.Stdout, StringComparison.Ordinal);
        Assert.Matches(new Regex(@"Cgroup Driver: (cgroupfs|systemd)"), info.Stdout);
        Assert.Contains("Kernel Version: " + kernel, info.Stdout, StringComparison.Ordinal);
        Assert.Contains("ID: " + id, info.Stdout, StringComparison.Ordinal);
        Assert.Contains("Labels:", info.Stdout, StringComparison.Ordinal);
        Assert.Contains(LabeledDaemon.LabelA, info.Stdout, StringComparison.Ordinal);
        Assert.Contains(LabeledDaemon.LabelB, info.Stdout, StringComparison.Ordinal);
        Assert.Contains("Docker Root Dir: " + _daemon.DataRoot, info.Stdout, StringComparison.Ordinal);

        var json = await _docker.RunAsync("info", "--format", "{{json .}}");
        Assert.True(json.ExitCode == 0, json.ToString());
        var root = JsonDocument.Parse(json.Stdout).RootElement;
        Assert.Equal(id, root.GetProperty("ID").GetString());
        Assert.Equal(
            [LabeledDaemon.LabelA, LabeledDaemon.LabelB],
            root.GetProperty("Labels").EnumerateArray().Select(l => l.GetString()!).ToArray());
        var pools = root.GetProperty("DefaultAddressPools").EnumerateArray().ToList();
        Assert.Contains(pools, p => p.GetProperty("Base").GetString() == _daemon.AddressPool && p.GetProperty("Size").GetInt32() == 24);
    }

    [Fact]
    public async Task DockerSystemEvents_WithSinceAndUntil_ExitsZero()
    {
        var events = await _docker.RunWithTimeoutAsync(TimeSpan.FromSeconds(30), "system", "events", "--since", "1m", "--until", "0s");
        Assert.True(events.ExitCode == 0, events.ToString());
        Assert.False(events.TimedOut, events.ToString());
    }

    private static bool OnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin")
            .Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Any(dir => File.Exists(Path.Combine(dir, name)));

    [GeneratedRegex(@"(?m)^ Engine:\s*$")]
    private static partial Regex EngineVersionLine();

    [GeneratedRegex(@"(?m)^  API version:\s+1\.44 \(minimum version 1\.24\)\s*$")]
    private static partial Regex ApiVersionLine();
}
