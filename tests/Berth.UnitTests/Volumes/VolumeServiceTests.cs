using Berth.Engine.Errors;
using Berth.Engine.Filters;
using Berth.Engine.State;
using Berth.Engine.Volumes;

namespace Berth.UnitTests.Volumes;

public sealed class VolumeServiceTests : IDisposable
{
    private static readonly Dictionary<string, string> TmpfsOptions = new() { ["type"] = "tmpfs", ["device"] = "tmpfs", ["o"] = "size=1m" };
    private readonly VolumeTestRig _rig = new();

    private VolumeService Service => _rig.Service;

    public void Dispose() => _rig.Dispose();

    [Fact]
    public async Task CreateMakesDataDirectoryAndReturnsDockerShape()
    {
        var v = await Service.CreateAsync(new VolumeCreateRequest("v1", Labels: new Dictionary<string, string> { ["a"] = "b" }));
        Assert.Equal("v1", v.Name);
        Assert.Equal("local", v.Driver);
        Assert.Equal("local", v.Scope);
        Assert.Equal(Path.Combine(_rig.DataRoot, "volumes", "v1", "_data"), v.Mountpoint);
        Assert.True(Directory.Exists(v.Mountpoint));
        Assert.Equal("b", v.Labels!["a"]);
        Assert.Null(v.Options);
        Assert.Equal(0, v.CreatedAt.Millisecond);
        Assert.Equal(["create v1"], _rig.EventLog());
    }

    [Fact]
    public async Task AnonymousVolumeGetsIdNameAndLabel()
    {
        var v = await Service.CreateAsync(new VolumeCreateRequest());
        Assert.True(IdGenerator.IsFullId(v.Name));
        Assert.Equal("", v.Labels![LocalVolumeRules.AnonymousLabel]);
    }

    [Fact]
    public async Task CreatingAnExistingNameReturnsItUnchanged()
    {
        var first = await Service.CreateAsync(new VolumeCreateRequest("v1", Labels: new Dictionary<string, string> { ["a"] = "b" }));
        var second = await Service.CreateAsync(new VolumeCreateRequest("v1", Labels: new Dictionary<string, string> { ["c"] = "d" }, DriverOpts: TmpfsOptions));
        Assert.Equal(first, second);
        Assert.Single(_rig.EventLog());
    }

    [Theory]
    [InlineData("x", null, "create x: volume name is too short, names should be at least two alphanumeric characters", ErrorKind.InvalidParameter)]
    [InlineData("v1", "nfsplugin", "create v1: error looking up volume plugin nfsplugin: plugin \"nfsplugin\" not found", ErrorKind.NotFound)]
    public async Task CreateErrors(string name, string? driver, string message, ErrorKind kind)
    {
        var e = await Assert.ThrowsAsync<DaemonException>(() => Service.CreateAsync(new VolumeCreateRequest(name, driver)));
        Assert.Equal(message, e.Message);
        Assert.Equal(kind, e.Kind);
    }

    [Fact]
    public async Task BadOptionsCreateNothing()
    {
        var e = await Assert.ThrowsAsync<DaemonException>(() =>
            Service.CreateAsync(new VolumeCreateRequest("v1", DriverOpts: new Dictionary<string, string> { ["x"] = "y" })));
        Assert.Equal("create v1: invalid option: \"x\"", e.Message);
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(_rig.DataRoot, "volumes")));
    }

    [Fact]
    public async Task GetMissingIsNotFound()
    {
        var e = await Assert.ThrowsAsync<DaemonException>(() => Service.GetAsync("nope"));
        Assert.Equal((ErrorKind.NotFound, "get nope: no such volume"), (e.Kind, e.Message));
    }

    [Fact]
    public async Task UsersBlockRemoveEvenWithForceAndSurviveRestart()
    {
        await Service.CreateAsync(new VolumeCreateRequest("v1"));
        await Service.AcquireAsync("v1", "c1");
        await Service.AcquireAsync("v1", "c2");
        await Service.AcquireAsync("v1", "c1"); // idempotent per reference

        var restarted = _rig.Restart();
        var e = await Assert.ThrowsAsync<DaemonException>(() => restarted.RemoveAsync("v1", force: true));
        Assert.Equal((ErrorKind.Conflict, "remove v1: volume is in use - [c1, c2]"), (e.Kind, e.Message));
        Assert.Empty(await restarted.ListAsync(FilterArgs.Parse("""{"dangling":{"true":true}}""")));

        await restarted.ReleaseAsync("v1", "c1");
        await restarted.ReleaseAsync("v1", "unknown");
        await restarted.ReleaseAsync("missing-volume", "c1");
        e = await Assert.ThrowsAsync<DaemonException>(() => restarted.RemoveAsync("v1", force: false));
        Assert.Equal("remove v1: volume is in use - [c2]", e.Message);

        await restarted.ReleaseAsync("v1", "c2");
        await restarted.RemoveAsync("v1", force: false);
        Assert.False(Directory.Exists(Path.Combine(_rig.DataRoot, "volumes", "v1")));
        Assert.Contains("destroy v1", _rig.EventLog());
    }

    [Fact]
    public async Task CreateWithReferenceIsInUseAtOnce()
    {
        var v = await Service.CreateAsync(new VolumeCreateRequest(Reference: "c1"));
        var report = await Service.PruneAsync(new FilterArgs());
        Assert.Empty(report.VolumesDeleted);
        Assert.Equal(1, (await Service.GetUsageAsync()).Single(u => u.Volume.Name == v.Name).RefCount);
    }

    [Fact]
    public async Task RemoveMissing()
    {
        await Service.RemoveAsync("nope", force: true);
        var e = await Assert.ThrowsAsync<DaemonException>(() => Service.RemoveAsync("nope", force: false));
        Assert.Equal("get nope: no such volume", e.Message);
    }

    [Fact]
    public async Task OptionVolumeMountsOnFirstUseAndUnmountsAfterLast()
    {
        var v = await Service.CreateAsync(new VolumeCreateRequest("tv", DriverOpts: TmpfsOptions));
        Assert.Empty(_rig.Mounter.Mounted); // not at create

        Assert.Equal(v.Mountpoint, await Service.MountAsync("tv", "c1"));
        Assert.Equal(v.Mountpoint, await Service.MountAsync("tv", "c2"));
        Assert.Equal(v.Mountpoint, await Service.MountAsync("tv", "c2"));
        Assert.Equal(["mount tmpfs tmpfs size=1m"], _rig.Mounter.Calls);

        await Service.UnmountAsync("tv", "c1");
        await Service.UnmountAsync("tv", "c2");
        Assert.Contains(v.Mountpoint, _rig.Mounter.Mounted);
        var e = await Assert.ThrowsAsync<DaemonException>(() => Service.RemoveAsync("tv", force: true));
        Assert.Equal("remove tv: volume has active mounts", e.Message);

        await Service.UnmountAsync("tv", "c2");
        await Service.UnmountAsync("tv", "never-mounted");
        Assert.Empty(_rig.Mounter.Mounted);
        Assert.Equal(["mount tmpfs tmpfs size=1m", "unmount"], _rig.Mounter.Calls);
        Assert.Equal(3, _rig.EventLog().Count(l => l == "mount tv"));
        Assert.Equal(3, _rig.EventLog().Count(l => l == "unmount tv"));
    }

    [Fact]
    public async Task MountStateIsRestoredAfterRestartAndRemoveUnmounts()
    {
        var v = await Service.CreateAsync(new VolumeCreateRequest("tv", DriverOpts: TmpfsOptions));
        await Service.MountAsync("tv", "c1");
        var restarted = _rig.Restart(); // daemon died with the tmpfs still mounted
        await restarted.MountAsync("tv", "c1");
        Assert.Single(_rig.Mounter.Calls); // no second mount stacked on the first
        await restarted.UnmountAsync("tv", "c1");
        Assert.Empty(_rig.Mounter.Mounted);

        await restarted.MountAsync("tv", "c1");
        _rig.Restart();
        await _rig.Service.RemoveAsync("tv", force: false); // restored mount, no active users: unmount, then delete
        Assert.Empty(_rig.Mounter.Mounted);
        Assert.False(Directory.Exists(v.Mountpoint));
    }

    [Fact]
    public async Task FailedMountLeavesNothingCounted()
    {
        await Service.CreateAsync(new VolumeCreateRequest("tv", DriverOpts: new Dictionary<string, string> { ["type"] = "tmpfs", ["device"] = "tmpfs", ["o"] = "password=hunter2" }));
        _rig.Mounter.FailNextMount = new IOException("mount tmpfs: password=hunter2 rejected");
        var e = await Assert.ThrowsAsync<DaemonException>(() => Service.MountAsync("tv", "c1"));
        Assert.Equal("failed to mount local volume: mount tmpfs: password=******** rejected", e.Message);
        await Service.RemoveAsync("tv", force: false);
    }

    [Fact]
    public async Task PruneDefaultsToAnonymousAndReportsSpace()
    {
        var anon = await Service.CreateAsync(new VolumeCreateRequest());
        await File.WriteAllBytesAsync(Path.Combine(anon.Mountpoint, "f"), new byte[1000]);
        Directory.CreateDirectory(Path.Combine(anon.Mountpoint, "d"));
        await File.WriteAllBytesAsync(Path.Combine(anon.Mountpoint, "d", "g"), new byte[24]);
        File.CreateSymbolicLink(Path.Combine(anon.Mountpoint, "link"), "/etc"); // 4 bytes, not followed
        await Service.CreateAsync(new VolumeCreateRequest("named"));
        await Service.CreateAsync(new VolumeCreateRequest("tv", DriverOpts: TmpfsOptions));

        var usage = await Service.GetUsageAsync();
        Assert.Equal([(anon.Name, 1028L), ("named", 0L)], usage.Select(u => (u.Volume.Name, u.Size)).OrderBy(u => u.Item1 == "named").ToList());

        var report = await Service.PruneAsync(new FilterArgs());
        Assert.Equal([anon.Name], report.VolumesDeleted);
        Assert.Equal(1028UL, report.SpaceReclaimed);

        report = await Service.PruneAsync(new FilterArgs().Add("all", "true"));
        Assert.Equal(["named"], report.VolumesDeleted); // tv has options: never pruned
        Assert.Contains("prune ", _rig.EventLog());
        Assert.Equal(["tv"], (await Service.ListAsync(new FilterArgs())).Select(v => v.Name));
    }

    [Fact]
    public async Task LabelsAndOptionsPersistAcrossRestart()
    {
        var created = await Service.CreateAsync(new VolumeCreateRequest("v1", DriverOpts: TmpfsOptions, Labels: new Dictionary<string, string> { ["a"] = "b" }));
        var loaded = await _rig.Restart().GetAsync("v1");
        Assert.Equal(created.CreatedAt, loaded.CreatedAt);
        Assert.Equal(created.Labels, loaded.Labels);
        Assert.Equal(created.Options, loaded.Options);
    }
}
