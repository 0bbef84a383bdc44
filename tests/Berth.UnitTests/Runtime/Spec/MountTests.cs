using Berth.Engine.Errors;
using Berth.Runtime.Spec;

namespace Berth.UnitTests.Runtime.Spec;

public class MountTests
{
    private static OciSpec Mounts(SpecInput input) => SpecFixtures.Apply(input, MountMutators.WithMounts, MountMutators.WithInit);

    private static OciMount Get(OciSpec spec, string destination) => Assert.Single(spec.Mounts, m => m.Destination == destination);

    private static string Options(OciSpec spec, string destination) => string.Join(',', Get(spec, destination).Options ?? []);

    [Fact]
    public void DefaultShmIsSixtyFourMegabytesAndNetworkFilesAreBound()
    {
        OciSpec spec = Mounts(SpecFixtures.Busybox());
        Assert.Equal("nosuid,noexec,nodev,mode=1777,size=67108864", Options(spec, "/dev/shm"));
        Assert.Equal(
            ["/proc", "/dev", "/dev/pts", "/sys", "/sys/fs/cgroup", "/dev/mqueue", "/dev/shm", "/etc/resolv.conf", "/etc/hostname", "/etc/hosts"],
            spec.Mounts.Select(m => m.Destination));
        Assert.Equal("""{"destination":"/etc/hosts","type":"bind","source":"/var/lib/berth/containers/""" + SpecFixtures.Id + """/hosts","options":["rbind","rprivate"]}""",
            SpecFixtures.Json(spec)["mounts"]![9]!.ToJsonString());
    }

    [Fact]
    public void ShmSizeAndIpcNone()
    {
        Assert.EndsWith("size=1048576", Options(Mounts(SpecFixtures.Busybox(h => h with { ShmSize = 1 << 20 })), "/dev/shm"), StringComparison.Ordinal);
        Assert.DoesNotContain(Mounts(SpecFixtures.Busybox(h => h with { IpcMode = "none" })).Mounts, m => m.Destination == "/dev/shm");
    }

    [Fact]
    public void SharedShmPathReplacesTheTmpfs()
    {
        SpecInput input = SpecFixtures.Busybox(h => h with { IpcMode = "shareable" }) is var i
            ? i with { Paths = i.Paths with { ShmPath = "/var/lib/berth/containers/x/mounts/shm" } }
            : null!;
        OciMount shm = Get(Mounts(input), "/dev/shm");
        Assert.Equal(("bind", "/var/lib/berth/containers/x/mounts/shm", "rbind,rprivate"), (shm.Type, shm.Source, string.Join(',', shm.Options!)));
    }

    [Fact]
    public void TmpfsGetsDockerDefaultsAndMergesOptions()
    {
        OciSpec spec = Mounts(SpecFixtures.Busybox(h => h with
        {
            Tmpfs = new Dictionary<string, string> { ["/run"] = "", ["/tmp"] = "exec,size=1m,mode=1777,size=2m", ["/dev/shm"] = "size=8m" },
        }));
        Assert.Equal("noexec,nosuid,nodev,rprivate", Options(spec, "/run"));
        Assert.Equal("nosuid,nodev,rprivate,exec,mode=1777,size=2m", Options(spec, "/tmp"));
        OciMount shm = Get(spec, "/dev/shm");
        Assert.Equal(("tmpfs", "tmpfs", "noexec,nosuid,nodev,rprivate,size=8m"), (shm.Type, shm.Source, string.Join(',', shm.Options!)));
    }

    [Fact]
    public void TmpfsOnDevDropsTheDefaultDevMounts()
    {
        OciSpec spec = Mounts(SpecFixtures.Busybox(h => h with { Tmpfs = new Dictionary<string, string> { ["/dev"] = "" } }));
        Assert.DoesNotContain(spec.Mounts, m => m.Destination.StartsWith("/dev/", StringComparison.Ordinal));
        Assert.Equal("tmpfs", Get(spec, "/dev").Source);
    }

    [Fact]
    public void BadTmpfsOption()
    {
        var e = Assert.Throws<DaemonException>(() =>
            Mounts(SpecFixtures.Busybox(h => h with { Tmpfs = new Dictionary<string, string> { ["/tmp"] = "bogus=1" } })));
        Assert.Equal("invalid tmpfs option \"bogus\"", e.Message);
    }

    [Fact]
    public void ReadonlyRootfsMakesKernelFsAndNetworkFilesReadOnly()
    {
        OciSpec spec = Mounts(SpecFixtures.Busybox(h => h with { ReadonlyRootfs = true, Tmpfs = new Dictionary<string, string> { ["/tmp"] = "" } }));
        Assert.Equal("nosuid,noexec,nodev,ro", Options(spec, "/sys"));
        Assert.Equal("nosuid,noexec,nodev", Options(spec, "/proc"));
        Assert.Equal("nosuid,noexec,nodev,mode=1777,size=67108864", Options(spec, "/dev/shm"));
        Assert.Equal("rbind,ro,rprivate", Options(spec, "/etc/resolv.conf"));
        Assert.DoesNotContain("ro", Get(spec, "/tmp").Options!);
    }

    [Fact]
    public void PrivilegedMakesSysAndCgroupWritable()
    {
        OciSpec spec = Mounts(SpecFixtures.Busybox(h => h with { Privileged = true }));
        Assert.Equal("nosuid,noexec,nodev", Options(spec, "/sys"));
        Assert.Equal("nosuid,noexec,nodev", Options(spec, "/sys/fs/cgroup"));
        Assert.Equal("nosuid,noexec,nodev", Options(Mounts(SpecFixtures.Busybox(h => h with { SecurityOpt = ["writable-cgroups=true"] })), "/sys/fs/cgroup"));
    }

    [Fact]
    public void InitWrapsTheCommand()
    {
        SpecInput input = SpecFixtures.Busybox(h => h with { Init = true });
        OciSpec spec = SpecFixtures.Apply(input, ProcessMutators.WithProcess, MountMutators.WithInit);
        Assert.Equal(["/sbin/docker-init", "--", "sh"], spec.Process!.Args);
        Assert.Equal("""{"destination":"/sbin/docker-init","type":"bind","source":"/usr/libexec/docker/docker-init","options":["bind","ro"]}""",
            SpecFixtures.Json(spec)["mounts"]![7]!.ToJsonString());
        // Not in a shared pid namespace, and not when the daemon default is off and Init unset.
        Assert.Equal(["sh"], SpecFixtures.Apply(SpecFixtures.Busybox(h => h with { Init = true, PidMode = "host" }), ProcessMutators.WithProcess, MountMutators.WithInit).Process!.Args);
        Assert.Equal(["/sbin/docker-init", "--", "sh"],
            SpecFixtures.Apply(SpecFixtures.Busybox(daemon: d => d with { Init = true }), ProcessMutators.WithProcess, MountMutators.WithInit).Process!.Args);
    }
}
