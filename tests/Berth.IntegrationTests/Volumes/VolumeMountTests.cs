using Berth.Engine.Errors;
using Berth.Engine.Events;
using Berth.Engine.Volumes;
using Berth.IntegrationTests.Harness;
using Berth.Linux;
using Berth.Storage.Volumes;

namespace Berth.IntegrationTests.Volumes;

/// <summary>
/// Mount/Unmount with the real kernel. Containers do not exist yet, so nothing in the API mounts
/// a volume; these tests drive <see cref="VolumeService"/> directly, on a temp data-root or on a
/// stopped daemon's data-root. Every test unmounts what it mounted, pass or fail.
/// </summary>
public sealed class VolumeMountTests : IDisposable
{
    private static readonly Dictionary<string, string> Tmpfs1m = new() { ["type"] = "tmpfs", ["device"] = "tmpfs", ["o"] = "size=1m" };
    private readonly string _root = Directory.CreateTempSubdirectory("berth-volmount-").FullName;
    private readonly ITestOutputHelper _output;

    public VolumeMountTests(ITestOutputHelper output)
    {
        _output = output;
    }

    public void Dispose()
    {
        UnmountEverythingUnder(_root);
        Directory.Delete(_root, recursive: true);
    }

    private static VolumeService NewService(string dataRoot) =>
        new(new LocalVolumeStore(dataRoot), new LinuxMounter(), new EventBus(TimeProvider.System), TimeProvider.System);

    private static void UnmountEverythingUnder(string root)
    {
        foreach (var m in VolumeMounts.MountPointsUnder(root).OrderByDescending(m => m.Length))
        {
            VolumeMounts.Unmount(m);
        }
    }

    [Fact]
    public async Task TmpfsIsMountedOnFirstUseWithItsSizeAndUnmountedAfterTheLast()
    {
        using var service = NewService(Path.Combine(_root, "data"));
        var v = await service.CreateAsync(new VolumeCreateRequest("tv", DriverOpts: Tmpfs1m));
        Assert.False(VolumeMounts.IsMountPoint(v.Mountpoint));

        Assert.Equal(v.Mountpoint, await service.MountAsync("tv", "c1"));
        await service.MountAsync("tv", "c2");
        Assert.True(VolumeMounts.IsMountPoint(v.Mountpoint));
        Assert.Equal(1024 * 1024, new DriveInfo(v.Mountpoint).TotalSize);
        Assert.Equal("tmpfs", new DriveInfo(v.Mountpoint).DriveFormat);

        await service.UnmountAsync("tv", "c1");
        Assert.True(VolumeMounts.IsMountPoint(v.Mountpoint));
        await service.UnmountAsync("tv", "c2");
        Assert.False(VolumeMounts.IsMountPoint(v.Mountpoint));
        await service.RemoveAsync("tv", force: false);
        Assert.False(Directory.Exists(Path.GetDirectoryName(v.Mountpoint)));
    }

    [Fact]
    public async Task SizeOptionSizesATmpfs()
    {
        using var service = NewService(Path.Combine(_root, "data"));
        var v = await service.CreateAsync(new VolumeCreateRequest("sized", DriverOpts: new Dictionary<string, string> { ["type"] = "tmpfs", ["device"] = "tmpfs", ["size"] = "2m" }));
        await service.MountAsync("sized", "c1");
        Assert.Equal(2 * 1024 * 1024, new DriveInfo(v.Mountpoint).TotalSize);
        await service.UnmountAsync("sized", "c1");
    }

    [Fact]
    public async Task BindVolumeNeverDeletesItsSource()
    {
        string source = Directory.CreateDirectory(Path.Combine(_root, "source")).FullName;
        File.WriteAllText(Path.Combine(source, "host-file"), "keep me");
        using var service = NewService(Path.Combine(_root, "data"));
        var v = await service.CreateAsync(new VolumeCreateRequest("bv", DriverOpts: new Dictionary<string, string> { ["type"] = "none", ["device"] = source, ["o"] = "bind" }));

        await service.MountAsync("bv", "c1");
        Assert.Equal("keep me", File.ReadAllText(Path.Combine(v.Mountpoint, "host-file")));
        File.WriteAllText(Path.Combine(v.Mountpoint, "from-volume"), "x");
        var e = await Assert.ThrowsAsync<DaemonException>(() => service.RemoveAsync("bv", force: true));
        Assert.Equal("remove bv: volume has active mounts", e.Message);

        await service.UnmountAsync("bv", "c1");
        await service.RemoveAsync("bv", force: false);
        Assert.Equal(["from-volume", "host-file"], Directory.GetFiles(source).Select(Path.GetFileName).Order());
    }

    [Fact]
    public async Task ReadOnlyBindIsReadOnly()
    {
        string source = Directory.CreateDirectory(Path.Combine(_root, "ro-source")).FullName;
        using var service = NewService(Path.Combine(_root, "data"));
        var v = await service.CreateAsync(new VolumeCreateRequest("robind", DriverOpts: new Dictionary<string, string> { ["type"] = "none", ["device"] = source, ["o"] = "bind,ro" }));
        await service.MountAsync("robind", "c1");
        Assert.ThrowsAny<IOException>(() => File.WriteAllText(Path.Combine(v.Mountpoint, "nope"), "x"));
        await service.UnmountAsync("robind", "c1");
    }

    [Fact]
    public async Task DaemonRemovesAVolumeLeftMountedByAPreviousRun()
    {
        await using var daemon = await BerthDaemon.StartNewAsync(_output);
        using var docker = daemon.Cli(_output);
        await docker.RunOkAsync("volume", "create", "-o", "type=tmpfs", "-o", "device=tmpfs", "-o", "o=size=1m", "tv");
        string data = Path.Combine(daemon.DataRoot, "volumes", "tv", "_data");
        await daemon.StopAsync();
        try
        {
            // Stand in for a daemon that died with a container running: the volume stays mounted.
            using (var service = NewService(daemon.DataRoot))
            {
                await service.MountAsync("tv", "c1");
            }
            Assert.Equal(1024 * 1024, new DriveInfo(data).TotalSize);

            await daemon.StartAsync();
            Assert.Equal("tv", (await docker.RunOkAsync("volume", "rm", "tv")).Trim());
            Assert.False(VolumeMounts.IsMountPoint(data));
            Assert.False(Directory.Exists(Path.GetDirectoryName(data)));
        }
        finally
        {
            UnmountEverythingUnder(daemon.DataRoot);
        }
    }
}
