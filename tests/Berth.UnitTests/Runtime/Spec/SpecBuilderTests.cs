using Berth.Runtime.Spec;

namespace Berth.UnitTests.Runtime.Spec;

public class SpecBuilderTests
{
    /// <summary>`docker run busybox sh`: dockerd's defaults, our seccomp profile checked separately.</summary>
    [Fact]
    public void BusyboxShDefaultSpec()
    {
        OciSpec spec = SpecBuilder.Build(SpecFixtures.Busybox());
        Assert.NotNull(spec.Linux!.Seccomp);
        spec.Linux.Seccomp = null;
        Assert.Equal(
            $$$"""
            {"ociVersion":"1.2.0","process":{"terminal":false,"user":{"uid":0,"gid":0,"additionalGids":[0,10]},"args":["sh"],"env":["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin","HOSTNAME=0123456789ab","HOME=/root"],"cwd":"/","capabilities":{"bounding":["CAP_CHOWN","CAP_DAC_OVERRIDE","CAP_FSETID","CAP_FOWNER","CAP_MKNOD","CAP_NET_RAW","CAP_SETGID","CAP_SETUID","CAP_SETFCAP","CAP_SETPCAP","CAP_NET_BIND_SERVICE","CAP_SYS_CHROOT","CAP_KILL","CAP_AUDIT_WRITE"],"effective":["CAP_CHOWN","CAP_DAC_OVERRIDE","CAP_FSETID","CAP_FOWNER","CAP_MKNOD","CAP_NET_RAW","CAP_SETGID","CAP_SETUID","CAP_SETFCAP","CAP_SETPCAP","CAP_NET_BIND_SERVICE","CAP_SYS_CHROOT","CAP_KILL","CAP_AUDIT_WRITE"],"permitted":["CAP_CHOWN","CAP_DAC_OVERRIDE","CAP_FSETID","CAP_FOWNER","CAP_MKNOD","CAP_NET_RAW","CAP_SETGID","CAP_SETUID","CAP_SETFCAP","CAP_SETPCAP","CAP_NET_BIND_SERVICE","CAP_SYS_CHROOT","CAP_KILL","CAP_AUDIT_WRITE"]},"noNewPrivileges":false,"oomScoreAdj":0},"root":{"path":"/var/lib/berth/rootfs/{{{SpecFixtures.Id}}}","readonly":false},"hostname":"0123456789ab","mounts":[{"destination":"/proc","type":"proc","source":"proc","options":["nosuid","noexec","nodev"]},{"destination":"/dev","type":"tmpfs","source":"tmpfs","options":["nosuid","strictatime","mode=755","size=65536k"]},{"destination":"/dev/pts","type":"devpts","source":"devpts","options":["nosuid","noexec","newinstance","ptmxmode=0666","mode=0620","gid=5"]},{"destination":"/sys","type":"sysfs","source":"sysfs","options":["nosuid","noexec","nodev","ro"]},{"destination":"/sys/fs/cgroup","type":"cgroup","source":"cgroup","options":["ro","nosuid","noexec","nodev"]},{"destination":"/dev/mqueue","type":"mqueue","source":"mqueue","options":["nosuid","noexec","nodev"]},{"destination":"/dev/shm","type":"tmpfs","source":"shm","options":["nosuid","noexec","nodev","mode=1777","size=67108864"]},{"destination":"/etc/resolv.conf","type":"bind","source":"/var/lib/berth/containers/{{{SpecFixtures.Id}}}/resolv.conf","options":["rbind","rprivate"]},{"destination":"/etc/hostname","type":"bind","source":"/var/lib/berth/containers/{{{SpecFixtures.Id}}}/hostname","options":["rbind","rprivate"]},{"destination":"/etc/hosts","type":"bind","source":"/var/lib/berth/containers/{{{SpecFixtures.Id}}}/hosts","options":["rbind","rprivate"]}],"linux":{"sysctl":{"net.ipv4.ip_unprivileged_port_start":"0","net.ipv4.ping_group_range":"0 2147483647"},"resources":{"devices":[{"allow":false,"access":"rwm"},{"allow":true,"type":"c","major":1,"minor":5,"access":"rwm"},{"allow":true,"type":"c","major":1,"minor":3,"access":"rwm"},{"allow":true,"type":"c","major":1,"minor":9,"access":"rwm"},{"allow":true,"type":"c","major":1,"minor":8,"access":"rwm"},{"allow":true,"type":"c","major":5,"minor":0,"access":"rwm"},{"allow":true,"type":"c","major":5,"minor":1,"access":"rwm"},{"allow":false,"type":"c","major":10,"minor":229,"access":"rwm"}],"blockIO":{}},"cgroupsPath":"/docker/{{{SpecFixtures.Id}}}","namespaces":[{"type":"mount"},{"type":"network","path":"/run/berth/netns/0123456789ab"},{"type":"uts"},{"type":"pid"},{"type":"ipc"},{"type":"cgroup"}],"devices":[],"maskedPaths":["/proc/acpi","/proc/asound","/proc/interrupts","/proc/kcore","/proc/keys","/proc/latency_stats","/proc/sched_debug","/proc/scsi","/proc/timer_list","/proc/timer_stats","/sys/devices/virtual/powercap","/sys/firmware"],"readonlyPaths":["/proc/bus","/proc/fs","/proc/irq","/proc/sys","/proc/sysrq-trigger"]}}
            """,
            SpecFixtures.Json(spec).ToJsonString());
    }

    [Fact]
    public void SerialisationIsDeterministicAndRoundTrips()
    {
        byte[] a = OciSpecJson.Serialize(SpecBuilder.Build(SpecFixtures.Busybox()));
        byte[] b = OciSpecJson.Serialize(SpecBuilder.Build(SpecFixtures.Busybox()));
        Assert.Equal(a, b);
        Assert.Equal(a, OciSpecJson.Serialize(OciSpecJson.Deserialize(a)!));
    }

    [Fact]
    public void PrivilegedSpec()
    {
        OciSpec spec = SpecBuilder.Build(SpecFixtures.Busybox(h => h with { Privileged = true }));
        Assert.Equal(SpecFixtures.HostCaps, spec.Process!.Capabilities!.Bounding);
        Assert.Null(spec.Linux!.Seccomp);
        Assert.Null(spec.Linux.MaskedPaths);
        Assert.Null(spec.Linux.ReadonlyPaths);
        Assert.Equal("""[{"allow":true,"access":"rwm"}]""", SpecFixtures.Fragment(spec, "linux.resources.devices"));
        Assert.DoesNotContain("ro", spec.Mounts.Single(m => m.Destination == "/sys").Options!);
    }

    [Fact]
    public void ExtraMaskedPathsAreAppended()
    {
        OciSpec spec = SpecBuilder.Build(SpecFixtures.Busybox(daemon: d => d with { ExtraMaskedPaths = ["/sys/devices/system/cpu/cpu0/thermal_throttle"] }));
        Assert.Equal("/sys/devices/system/cpu/cpu0/thermal_throttle", spec.Linux!.MaskedPaths![^1]);
    }

    [Fact]
    public void SeccompSeesCapAdds()
    {
        OciSpec spec = SpecBuilder.Build(SpecFixtures.Busybox(h => h with { CapAdd = ["SYS_ADMIN"] }));
        Assert.Contains(spec.Linux!.Seccomp!.Syscalls, r => r.Names.Contains("mount") && r.Args is null);
    }
}
