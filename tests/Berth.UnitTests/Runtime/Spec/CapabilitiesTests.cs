using Berth.Engine.Errors;
using Berth.Runtime.Security;
using Berth.Runtime.Spec;

namespace Berth.UnitTests.Runtime.Spec;

public class CapabilitiesTests
{
    private static List<string> Caps(OciSpec spec) => spec.Process!.Capabilities!.Bounding!;

    private static OciSpec Build(Func<HostConfigInput, HostConfigInput> host) =>
        SpecFixtures.Apply(SpecFixtures.Busybox(host), SecurityMutators.WithCapabilities);

    [Fact]
    public void MaskParsesCapBnd()
    {
        IReadOnlyList<string> caps = Capabilities.FromMask("000001fffeffffff");
        Assert.Equal(40, caps.Count);
        Assert.DoesNotContain("CAP_SYS_RESOURCE", caps);
        Assert.Contains("CAP_CHECKPOINT_RESTORE", caps);
        Assert.Equal(caps, Capabilities.FromProcStatus("Name:\tx\nCapBnd:\t000001fffeffffff\nCapAmb:\t0\n"));
    }

    [Fact]
    public void DefaultsAreDockersFourteenInAllThreeSets()
    {
        OciSpec spec = Build(h => h);
        Assert.Equal(
            """{"bounding":["CAP_CHOWN","CAP_DAC_OVERRIDE","CAP_FSETID","CAP_FOWNER","CAP_MKNOD","CAP_NET_RAW","CAP_SETGID","CAP_SETUID","CAP_SETFCAP","CAP_SETPCAP","CAP_NET_BIND_SERVICE","CAP_SYS_CHROOT","CAP_KILL","CAP_AUDIT_WRITE"],"effective":["CAP_CHOWN","CAP_DAC_OVERRIDE","CAP_FSETID","CAP_FOWNER","CAP_MKNOD","CAP_NET_RAW","CAP_SETGID","CAP_SETUID","CAP_SETFCAP","CAP_SETPCAP","CAP_NET_BIND_SERVICE","CAP_SYS_CHROOT","CAP_KILL","CAP_AUDIT_WRITE"],"permitted":["CAP_CHOWN","CAP_DAC_OVERRIDE","CAP_FSETID","CAP_FOWNER","CAP_MKNOD","CAP_NET_RAW","CAP_SETGID","CAP_SETUID","CAP_SETFCAP","CAP_SETPCAP","CAP_NET_BIND_SERVICE","CAP_SYS_CHROOT","CAP_KILL","CAP_AUDIT_WRITE"]}""",
            SpecFixtures.Fragment(spec, "process.capabilities"));
    }

    [Fact]
    public void AddAndDropAcceptAnyCaseWithOrWithoutPrefix()
    {
        List<string> caps = Caps(Build(h => h with { CapAdd = ["net_admin", "CAP_sys_ptrace"], CapDrop = ["mknod", "CAP_NET_RAW"] }));
        Assert.Contains("CAP_NET_ADMIN", caps);
        Assert.Contains("CAP_SYS_PTRACE", caps);
        Assert.DoesNotContain("CAP_MKNOD", caps);
        Assert.DoesNotContain("CAP_NET_RAW", caps);
        Assert.Equal(14, caps.Count);
    }

    [Fact]
    public void PrivilegedGetsEveryCapabilityTheDaemonHas()
    {
        List<string> caps = Caps(Build(h => h with { Privileged = true }));
        Assert.Equal(SpecFixtures.HostCaps, caps);
        Assert.DoesNotContain("CAP_SYS_RESOURCE", caps);
    }

    [Fact]
    public void CapAddAllIsClampedAndHonoursDrops()
    {
        List<string> caps = Caps(Build(h => h with { CapAdd = ["ALL"], CapDrop = ["sys_admin"] }));
        Assert.Equal(39, caps.Count);
        Assert.DoesNotContain("CAP_SYS_RESOURCE", caps);
        Assert.DoesNotContain("CAP_SYS_ADMIN", caps);
    }

    [Fact]
    public void CapDropAllKeepsOnlyAdds()
    {
        Assert.Equal(["CAP_CHOWN"], Caps(Build(h => h with { CapDrop = ["all"], CapAdd = ["chown"] })));
        Assert.Empty(Caps(Build(h => h with { CapDrop = ["ALL"] })));
    }

    [Theory]
    [InlineData("foo", "unknown capability: \"CAP_FOO\"")]
    [InlineData("sys_resource", "capability not supported by your kernel or not available in the current environment: \"CAP_SYS_RESOURCE\"")]
    public void BadNamesAreInvalidParameter(string name, string message)
    {
        var e = Assert.Throws<DaemonException>(() => Build(h => h with { CapAdd = [name] }));
        Assert.Equal(ErrorKind.InvalidParameter, e.Kind);
        Assert.Equal(message, e.Message);
    }
}
