using System.Formats.Tar;
using System.Net;
using System.Text;
using System.Text.Json;
using Berth.IntegrationTests.Harness;

namespace Berth.IntegrationTests.Containers;

/// <summary>
/// docker cp in both directions (running and stopped containers, volumes), the stat header and
/// dockerd's errors, and the confinement: symlinks planted in the container and hostile tars
/// never reach host paths.
/// </summary>
public sealed class ArchiveTests : CliTestBase<BerthDaemon>, IClassFixture<BerthDaemon>, IAsyncLifetime
{
    public ArchiveTests(BerthDaemon daemon, ITestOutputHelper output) : base(daemon, output)
    {
    }

    public Task InitializeAsync() => ContainerTestSupport.EnsureBusyboxAsync(Docker);

    public async Task DisposeAsync()
    {
        await ContainerTestSupport.RemoveAllAndCheckCleanAsync(Daemon, Docker);
        await Docker.RunAsync("volume", "prune", "-af");
        Assert.DoesNotContain(File.ReadAllLines("/proc/mounts"), l => l.Contains(Daemon.ExecRoot + "/cp/", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task CopyFileAndDirectory_InAndOut(bool running)
    {
        string name = running ? "ar-running" : "ar-stopped";
        await Docker.RunOkAsync("create", "--name", name, "-v", "ar-vol-" + name + ":/vol", "busybox", "sleep", "300");
        if (running)
        {
            await Docker.RunOkAsync("start", name);
        }
        string local = Directory.CreateDirectory(Path.Combine(ScratchDir, name)).FullName;
        File.WriteAllText(Path.Combine(local, "file.txt"), "one\n");
        Directory.CreateDirectory(Path.Combine(local, "tree", "sub"));
        File.WriteAllText(Path.Combine(local, "tree", "sub", "deep.txt"), "deep\n");
        File.CreateSymbolicLink(Path.Combine(local, "tree", "link"), "sub/deep.txt");
        // Bigger than Kestrel's default 30 MB request body limit.
        var big = new byte[40 << 20];
        Random.Shared.NextBytes(big);
        File.WriteAllBytes(Path.Combine(local, "tree", "big.bin"), big);

        await Docker.RunOkAsync("cp", Path.Combine(local, "file.txt"), name + ":/tmp/");
        await Docker.RunOkAsync("cp", Path.Combine(local, "tree"), name + ":/vol/tree");
        await Docker.RunOkAsync("cp", Path.Combine(local, "file.txt"), name + ":/renamed.txt");

        string back = Directory.CreateDirectory(Path.Combine(ScratchDir, name + "-back")).FullName;
        await Docker.RunOkAsync("cp", name + ":/tmp/file.txt", back);
        Assert.Equal("one\n", File.ReadAllText(Path.Combine(back, "file.txt")));
        await Docker.RunOkAsync("cp", name + ":/renamed.txt", Path.Combine(back, "r.txt"));
        Assert.Equal("one\n", File.ReadAllText(Path.Combine(back, "r.txt")));
        await Docker.RunOkAsync("cp", name + ":/vol/tree", Path.Combine(back, "tree"));
        Assert.Equal("deep\n", File.ReadAllText(Path.Combine(back, "tree", "sub", "deep.txt")));
        Assert.Equal("sub/deep.txt", new FileInfo(Path.Combine(back, "tree", "link")).LinkTarget);
        Assert.Equal(big, File.ReadAllBytes(Path.Combine(back, "tree", "big.bin")));

        // The copy into the volume is in the volume, as the container sees it.
        string volumeData = Path.Combine(Daemon.DataRoot, "volumes", "ar-vol-" + name, "_data");
        Assert.Equal("deep\n", File.ReadAllText(Path.Combine(volumeData, "tree", "sub", "deep.txt")));

        var missing = await Docker.RunAsync("cp", name + ":/nope", back);
        Assert.NotEqual(0, missing.ExitCode);
        Assert.Contains("Could not find the file /nope in container " + name, missing.Stderr, StringComparison.Ordinal);
        await Docker.RunOkAsync("rm", "-f", name);
        await Docker.RunOkAsync("volume", "rm", "ar-vol-" + name);
    }

    [Fact]
    public async Task StatHeader_AndErrors_MatchDockerd()
    {
        await Docker.RunOkAsync("create", "--name", "ar-stat", "busybox", "true");
        using var http = Daemon.Http();
        var head = await http.HeadAsync("/containers/ar-stat/archive?path=/etc/passwd");
        Assert.Equal(HttpStatusCode.OK, head.Status);
        using var stat = JsonDocument.Parse(Convert.FromBase64String(head.Header("X-Docker-Container-Path-Stat")!));
        Assert.Equal("passwd", stat.RootElement.GetProperty("name").GetString());
        Assert.True(stat.RootElement.GetProperty("size").GetInt64() > 0);
        Assert.Equal("", stat.RootElement.GetProperty("linkTarget").GetString());

        var dir = await http.HeadAsync("/containers/ar-stat/archive?path=/etc");
        using var dirStat = JsonDocument.Parse(Convert.FromBase64String(dir.Header("X-Docker-Container-Path-Stat")!));
        Assert.NotEqual(0u, dirStat.RootElement.GetProperty("mode").GetUInt32() & (1u << 31));

        var get = await http.GetAsync("/containers/ar-stat/archive?path=/nope");
        Assert.Equal(HttpStatusCode.NotFound, get.Status);
        Assert.Equal("Could not find the file /nope in container ar-stat", get.Message);
        var empty = await http.GetAsync("/containers/ar-stat/archive?path=");
        Assert.Equal(HttpStatusCode.BadRequest, empty.Status);
        var notDir = await http.SendAsync(HttpMethod.Put, "/containers/ar-stat/archive?path=/etc/passwd", new ByteArrayContent(Tar(t => { })));
        Assert.Equal(HttpStatusCode.BadRequest, notDir.Status);
        Assert.Equal("extraction point is not a directory", notDir.Message);

        await Docker.RunOkAsync("create", "--name", "ar-ro", "--read-only", "busybox", "true");
        var ro = await http.SendAsync(HttpMethod.Put, "/containers/ar-ro/archive?path=/tmp", new ByteArrayContent(Tar(t => AddFile(t, "x", "x"))));
        Assert.Equal(HttpStatusCode.BadRequest, ro.Status);
        Assert.Equal("container rootfs is marked read-only", ro.Message);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task PlantedSymlinks_StayInsideTheContainer(bool running)
    {
        string host = Directory.CreateDirectory(Path.Combine(ScratchDir, "host-secret")).FullName;
        File.WriteAllText(Path.Combine(host, "secret"), "host data\n");
        string name = running ? "ar-evil-run" : "ar-evil-stop";
        // /link2 → /link1 → <host dir>, /up → many "..", /etc2 → /etc/../../../.. : all of them name host-looking paths.
        string plant = $"ln -s {host} /link1 && ln -s /link1 /link2 && ln -s ../../../../../../../.. /up && mkdir -p /drop";
        if (running)
        {
            await Docker.RunOkAsync("run", "-d", "--name", name, "busybox", "sh", "-c", plant + " && sleep 300");
            await Poll.UntilAsync(async () => (await Docker.RunAsync("cp", name + ":/link2", Path.Combine(ScratchDir, "probe-" + name))).Succeeded,
                TimeSpan.FromSeconds(10), "links planted");
        }
        else
        {
            await Docker.RunOkAsync("run", "--name", name, "busybox", "sh", "-c", plant);
        }
        string outDir = Directory.CreateDirectory(Path.Combine(ScratchDir, "out-" + name)).FullName;
        foreach (string path in new[] { "/link2/secret", "/link1/secret", "/up" + host + "/secret" })
        {
            var read = await Docker.RunAsync("cp", name + ":" + path, outDir);
            Assert.NotEqual(0, read.ExitCode);
            Assert.Contains("Could not find the file", read.Stderr, StringComparison.Ordinal);
        }
        Assert.Empty(Directory.EnumerateFileSystemEntries(outDir));

        string local = Path.Combine(ScratchDir, "payload-" + name);
        File.WriteAllText(local, "payload\n");
        await Docker.RunAsync("cp", local, name + ":/link2/");
        await Docker.RunAsync("cp", local, name + ":/up" + host + "/");
        Assert.Equal(["secret"], Directory.EnumerateFileSystemEntries(host).Select(Path.GetFileName));
        Assert.Equal("host data\n", File.ReadAllText(Path.Combine(host, "secret")));
        await Docker.RunOkAsync("rm", "-f", name);
    }

    [Fact]
    public async Task HostileTar_IsRefused_AndWritesNothingOutside()
    {
        string host = Directory.CreateDirectory(Path.Combine(ScratchDir, "victim")).FullName;
        await Docker.RunOkAsync("create", "--name", "ar-tar", "busybox", "true");
        using var http = Daemon.Http();
        string depth = string.Concat(Enumerable.Repeat("../", 12));

        var climb = await http.SendAsync(HttpMethod.Put, "/containers/ar-tar/archive?path=/tmp",
            new ByteArrayContent(Tar(t => AddFile(t, depth + host.TrimStart('/') + "/climbed", "x"))));
        Assert.Equal(HttpStatusCode.BadRequest, climb.Status);

        var relLink = await http.SendAsync(HttpMethod.Put, "/containers/ar-tar/archive?path=/tmp", new ByteArrayContent(Tar(t =>
        {
            t.WriteEntry(new PaxTarEntry(TarEntryType.SymbolicLink, "rel") { LinkName = depth + host.TrimStart('/') });
            AddFile(t, "rel/through-relative", "x");
        })));
        Assert.Equal(HttpStatusCode.BadRequest, relLink.Status);

        // An absolute link is allowed (as in dockerd) but resolves inside the container root.
        var absLink = await http.SendAsync(HttpMethod.Put, "/containers/ar-tar/archive?path=/tmp", new ByteArrayContent(Tar(t =>
        {
            t.WriteEntry(new PaxTarEntry(TarEntryType.SymbolicLink, "abs") { LinkName = host });
            AddFile(t, "abs/through-absolute", "x");
            t.WriteEntry(new PaxTarEntry(TarEntryType.HardLink, "hard") { LinkName = depth + "etc/shadow" });
        })));
        Assert.NotEqual(HttpStatusCode.OK, absLink.Status);

        Assert.Empty(Directory.EnumerateFileSystemEntries(host));
        string[] leaked = Directory.EnumerateFiles(Daemon.Root, "*", new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true })
            .Where(f => Path.GetFileName(f) is "climbed" or "through-relative" or "through-absolute").ToArray();
        Assert.All(leaked, f => Assert.Contains("/overlay/", f, StringComparison.Ordinal)); // only inside the container's own layer
    }

    private static byte[] Tar(Action<TarWriter> build)
    {
        using var buffer = new MemoryStream();
        using (var writer = new TarWriter(buffer, TarEntryFormat.Pax, leaveOpen: true))
        {
            build(writer);
        }
        return buffer.ToArray();
    }

    private static void AddFile(TarWriter writer, string name, string content) =>
        writer.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(Encoding.UTF8.GetBytes(content)) });
}
