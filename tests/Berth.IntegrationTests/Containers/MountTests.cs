using System.Text.Json;
using Berth.IntegrationTests.Harness;

namespace Berth.IntegrationTests.Containers;

/// <summary>-v, --mount, --tmpfs, image VOLUME (copy-up), --volumes-from, volume use tracking, rm -v / --rm, prune.</summary>
public sealed class MountTests : CliTestBase<BerthDaemon>, IClassFixture<BerthDaemon>, IAsyncLifetime
{
    public MountTests(BerthDaemon daemon, ITestOutputHelper output) : base(daemon, output)
    {
    }

    public Task InitializeAsync() => ContainerTestSupport.EnsureBusyboxAsync(Docker);

    public async Task DisposeAsync()
    {
        await ContainerTestSupport.RemoveAllAndCheckCleanAsync(Daemon, Docker);
        await Docker.RunAsync("volume", "prune", "-af");
    }

    [Fact]
    public async Task NamedVolume_WrittenByOneContainer_ReadByTheNext_AndInUseBlocksRemove()
    {
        await Docker.RunOkAsync("run", "--rm", "-v", "mt-named:/data", "busybox", "sh", "-c", "echo hello > /data/f");
        Assert.Equal("hello\n", await Docker.RunOkAsync("run", "--rm", "-v", "mt-named:/data:ro", "busybox", "cat", "/data/f"));

        await Docker.RunOkAsync("create", "--name", "mt-holder", "-v", "mt-named:/data", "busybox", "true");
        var inUse = await Docker.RunAsync("volume", "rm", "mt-named");
        Assert.NotEqual(0, inUse.ExitCode);
        Assert.Contains("volume is in use", inUse.Stderr, StringComparison.Ordinal);

        using var inspect = JsonDocument.Parse(await Docker.RunOkAsync("inspect", "mt-holder"));
        JsonElement mount = inspect.RootElement[0].GetProperty("Mounts")[0];
        Assert.Equal("volume", mount.GetProperty("Type").GetString());
        Assert.Equal("mt-named", mount.GetProperty("Name").GetString());
        Assert.Equal("/data", mount.GetProperty("Destination").GetString());
        Assert.Equal("local", mount.GetProperty("Driver").GetString());
        Assert.Equal("z", mount.GetProperty("Mode").GetString());
        Assert.True(mount.GetProperty("RW").GetBoolean());
        Assert.EndsWith("/volumes/mt-named/_data", mount.GetProperty("Source").GetString(), StringComparison.Ordinal);
        Assert.Contains("mt-named", await Docker.RunOkAsync("ps", "-a", "--format", "{{.Mounts}}"), StringComparison.Ordinal);

        // system df: the volume with its size and one user; the container with its mounts.
        using (var http = Daemon.Http())
        using (var df = JsonDocument.Parse((await http.GetAsync("/system/df")).Body))
        {
            JsonElement volume = df.RootElement.GetProperty("Volumes").EnumerateArray().Single(v => v.GetProperty("Name").GetString() == "mt-named");
            Assert.Equal(1, volume.GetProperty("UsageData").GetProperty("RefCount").GetInt64());
            Assert.Equal(6, volume.GetProperty("UsageData").GetProperty("Size").GetInt64());
            Assert.Contains(df.RootElement.GetProperty("Containers").EnumerateArray(), c => c.GetProperty("Names")[0].GetString() == "/mt-holder");
        }

        // rm -v never removes a named volume.
        await Docker.RunOkAsync("rm", "-v", "mt-holder");
        await Docker.RunOkAsync("volume", "inspect", "mt-named");
        await Docker.RunOkAsync("volume", "rm", "mt-named");
    }

    [Fact]
    public async Task ImageVolume_IsAnonymous_CopiedUp_AndRemovedByRmV()
    {
        string tar = TestImages.BusyboxRootfsTar(Path.Combine(ScratchDir, "rootfs.tar"));
        await Docker.RunOkAsync("import", "-c", "VOLUME /etc", tar, "mt-volimage:latest");

        await Docker.RunOkAsync("create", "--name", "mt-anon", "mt-volimage", "cat", "/etc/passwd");
        using var inspect = JsonDocument.Parse(await Docker.RunOkAsync("inspect", "mt-anon"));
        JsonElement mount = inspect.RootElement[0].GetProperty("Mounts")[0];
        string name = mount.GetProperty("Name").GetString()!;
        Assert.Matches("^[0-9a-f]{64}$", name);
        Assert.Equal("/etc", mount.GetProperty("Destination").GetString());
        Assert.Equal("", mount.GetProperty("Mode").GetString());
        // Copy-up: the image's /etc is in the new volume before the container ever ran.
        string data = Path.Combine(Daemon.DataRoot, "volumes", name, "_data");
        Assert.True(File.Exists(Path.Combine(data, "passwd")), "passwd copied into the anonymous volume");
        Assert.Contains("root:", await Docker.RunOkAsync("start", "-a", "mt-anon"), StringComparison.Ordinal);
        Assert.Equal("true\n", await Docker.RunOkAsync("volume", "inspect", "-f", "{{index .Labels \"com.docker.volume.anonymous\" | printf \"%v\" | eq \"\"}}", name));

        await Docker.RunOkAsync("rm", "-v", "mt-anon");
        Assert.NotEqual(0, (await Docker.RunAsync("volume", "inspect", name)).ExitCode);

        // --rm removes the anonymous volumes of the container too.
        string before = await Docker.RunOkAsync("volume", "ls", "-q");
        await Docker.RunOkAsync("run", "--rm", "-v", "/scratch", "busybox", "touch", "/scratch/x");
        await Poll.UntilAsync(async () => await Docker.RunOkAsync("volume", "ls", "-q") == before, TimeSpan.FromSeconds(10), "--rm removed its volume");
        await Docker.RunOkAsync("rmi", "mt-volimage");
    }

    [Fact]
    public async Task Binds_ReadOnlyRefusesWrites_RwWritesReachTheHost_AndErrorsMatchDockerd()
    {
        string dir = Directory.CreateDirectory(Path.Combine(ScratchDir, "bind")).FullName;
        File.WriteAllText(Path.Combine(dir, "in"), "from host\n");
        var ro = await Docker.RunAsync("run", "--rm", "-v", dir + ":/b:ro", "busybox", "sh", "-c", "cat /b/in; touch /b/x");
        Assert.NotEqual(0, ro.ExitCode);
        Assert.Contains("from host", ro.Stdout, StringComparison.Ordinal);
        Assert.Contains("Read-only file system", ro.Stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(dir, "x")));

        await Docker.RunOkAsync("run", "--rm", "--mount", $"type=bind,source={dir},target=/b,bind-propagation=rslave", "busybox", "touch", "/b/y");
        Assert.True(File.Exists(Path.Combine(dir, "y")));

        await Docker.RunOkAsync("create", "--name", "mt-bind", "-v", dir + ":/b:ro,z", "busybox", "true");
        using (var inspect = JsonDocument.Parse(await Docker.RunOkAsync("inspect", "mt-bind")))
        {
            JsonElement mount = inspect.RootElement[0].GetProperty("Mounts")[0];
            Assert.Equal("bind", mount.GetProperty("Type").GetString());
            Assert.Equal(dir, mount.GetProperty("Source").GetString());
            Assert.Equal("ro,z", mount.GetProperty("Mode").GetString());
            Assert.False(mount.GetProperty("RW").GetBoolean());
            Assert.Equal("rprivate", mount.GetProperty("Propagation").GetString());
            Assert.False(mount.TryGetProperty("Name", out _));
        }

        var missing = await Docker.RunAsync("run", "--rm", "--mount", "type=bind,source=/nonexistent-berth-x,target=/x", "busybox", "true");
        Assert.Contains("invalid mount config for type \"bind\": bind source path does not exist: /nonexistent-berth-x", missing.Stderr, StringComparison.Ordinal);
        var duplicate = await Docker.RunAsync("create", "-v", dir + ":/data", "-v", "mt-dup:/data", "busybox", "true");
        Assert.Contains("Duplicate mount point: /data", duplicate.Stderr, StringComparison.Ordinal);
        Assert.NotEqual(0, (await Docker.RunAsync("volume", "inspect", "mt-dup")).ExitCode);
        var badMode = await Docker.RunAsync("create", "-v", dir + ":/data:rx", "busybox", "true");
        Assert.Contains("invalid mode: rx", badMode.Stderr, StringComparison.Ordinal);
        var rootTarget = await Docker.RunAsync("create", "--mount", "type=volume,target=/", "busybox", "true");
        Assert.Contains("invalid specification: destination can't be '/'", rootTarget.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NonRecursiveBind_LeavesOutTheMountsBelowItsSource()
    {
        string dir = Directory.CreateDirectory(Path.Combine(ScratchDir, "nonrec")).FullName;
        string sub = Directory.CreateDirectory(Path.Combine(dir, "sub")).FullName;
        File.WriteAllText(Path.Combine(sub, "under"), "on the parent fs\n");
        Assert.Equal(0, (await ProcessRunner.RunAsync("mount", ["-t", "tmpfs", "-o", "size=1m", "berth-it-nonrec", sub])).ExitCode);
        try
        {
            File.WriteAllText(Path.Combine(sub, "over"), "on the submount\n");
            const string List = "ls /b/sub | tr '\\n' ' '";
            Assert.Equal("over ", await Docker.RunOkAsync("run", "--rm", "--mount", $"type=bind,source={dir},target=/b", "busybox", "sh", "-c", List));
            foreach (string option in new[] { "bind-nonrecursive", "bind-recursive=disabled" })
            {
                Assert.Equal("under ", await Docker.RunOkAsync("run", "--rm", "--mount", $"type=bind,source={dir},target=/b,{option}", "busybox", "sh", "-c", List));
            }
            await Docker.RunOkAsync("create", "--name", "mt-nonrec", "--mount", $"type=bind,source={dir},target=/b,bind-recursive=disabled", "busybox", "true");
            using var inspect = JsonDocument.Parse(await Docker.RunOkAsync("inspect", "mt-nonrec"));
            Assert.True(inspect.RootElement[0].GetProperty("HostConfig").GetProperty("Mounts")[0].GetProperty("BindOptions").GetProperty("NonRecursive").GetBoolean());
            // docker cp sees the container's view of the bind too.
            string copied = Path.Combine(ScratchDir, "nonrec-out");
            await Docker.RunOkAsync("cp", "mt-nonrec:/b/sub", copied);
            Assert.Equal(["under"], Directory.EnumerateFiles(copied).Select(Path.GetFileName));
        }
        finally
        {
            await ProcessRunner.RunAsync("umount", [sub]);
        }
    }

    [Fact]
    public async Task VolumeEvents_MountAtStart_UnmountAtExit()
    {
        string since = DateTimeOffset.UtcNow.AddSeconds(-1).ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
        await Docker.RunOkAsync("run", "--name", "mt-events", "-v", "mt-ev:/data:ro", "busybox", "true");
        string until = DateTimeOffset.UtcNow.AddSeconds(2).ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
        string events = await Docker.RunOkAsync("events", "--since", since, "--until", until, "--filter", "type=volume", "--format",
            "{{.Action}} {{.Actor.ID}} {{index .Actor.Attributes \"destination\"}} {{index .Actor.Attributes \"read/write\"}}");
        Assert.Contains("create mt-ev", events, StringComparison.Ordinal);
        Assert.Contains("mount mt-ev /data false", events, StringComparison.Ordinal);
        Assert.Contains("unmount mt-ev", events, StringComparison.Ordinal);
        await Docker.RunOkAsync("rm", "mt-events");
        await Docker.RunOkAsync("volume", "rm", "mt-ev");
    }

    [Fact]
    public async Task Tmpfs_HasTheRequestedSize()
    {
        string df = await Docker.RunOkAsync("run", "--rm", "--tmpfs", "/t:size=1m", "busybox", "df", "-k", "/t");
        Assert.Matches(@"tmpfs\s+1024\s", df);
        string df2 = await Docker.RunOkAsync("run", "--rm", "--mount", "type=tmpfs,target=/t2,tmpfs-size=2097152,tmpfs-mode=1770", "busybox",
            "sh", "-c", "df -k /t2; stat -c %a /t2");
        Assert.Matches(@"tmpfs\s+2048\s", df2);
        Assert.EndsWith("1770\n", df2, StringComparison.Ordinal);
    }

    [Fact]
    public async Task VolumesFrom_SharesTheVolumes_ReadOnlyWhenAsked()
    {
        await Docker.RunOkAsync("run", "--name", "mt-source", "-v", "/shared", "busybox", "sh", "-c", "echo shared > /shared/f");
        Assert.Equal("shared\n", await Docker.RunOkAsync("run", "--rm", "--volumes-from", "mt-source", "busybox", "cat", "/shared/f"));
        var ro = await Docker.RunAsync("run", "--rm", "--volumes-from", "mt-source:ro", "busybox", "touch", "/shared/g");
        Assert.Contains("Read-only file system", ro.Stderr, StringComparison.Ordinal);
        var unknown = await Docker.RunAsync("create", "--volumes-from", "mt-nope", "busybox", "true");
        Assert.Contains("No such container: mt-nope", unknown.Stderr, StringComparison.Ordinal);
        await Docker.RunOkAsync("rm", "-v", "mt-source");
    }

    [Fact]
    public async Task Prune_ByDefault_RemovesOnlyUnusedAnonymousVolumes()
    {
        await Docker.RunOkAsync("volume", "create", "mt-keep");
        await Docker.RunOkAsync("create", "--name", "mt-user", "-v", "/used", "busybox", "true");
        await Docker.RunOkAsync("run", "--name", "mt-gone", "-v", "/unused", "busybox", "true");
        string unused = (await Docker.RunOkAsync("inspect", "-f", "{{(index .Mounts 0).Name}}", "mt-gone")).Trim();
        string used = (await Docker.RunOkAsync("inspect", "-f", "{{(index .Mounts 0).Name}}", "mt-user")).Trim();
        await Docker.RunOkAsync("rm", "mt-gone"); // without -v: the volume stays, unused

        string pruned = await Docker.RunOkAsync("volume", "prune", "-f");
        Assert.Contains(unused, pruned, StringComparison.Ordinal);
        Assert.DoesNotContain(used, pruned, StringComparison.Ordinal);
        Assert.DoesNotContain("mt-keep", pruned, StringComparison.Ordinal);
        await Docker.RunOkAsync("volume", "inspect", "mt-keep", used);
        await Docker.RunOkAsync("rm", "-v", "mt-user");
        await Docker.RunOkAsync("volume", "rm", "mt-keep");
    }
}
