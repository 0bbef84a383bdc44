using Berth.Engine.Mounts;
using Berth.Runtime.Spec;

namespace Berth.UnitTests.Runtime.Spec;

/// <summary>Binds, volumes and --mount tmpfs in the spec (moby withMounts for container mounts).</summary>
public sealed class ContainerMountSpecTests
{
    private static OciSpec Build(params RuntimeMount[] mounts) =>
        SpecFixtures.Apply(SpecFixtures.Busybox() with { Mounts = mounts }, MountMutators.WithMounts);

    [Fact]
    public void BindsAndTmpfs_AreAdded_ParentsFirst_AndReplaceDefaultsAtTheirPath()
    {
        OciSpec spec = Build(
            new RuntimeMount("bind", "/var/lib/berth/volumes/v/_data", "/data/sub", ["rbind", "ro", "rprivate"]),
            new RuntimeMount("bind", "/host", "/data", ["rbind", "rprivate"]),
            new RuntimeMount("tmpfs", "tmpfs", "/dev/shm", ["size=1m"]),
            new RuntimeMount("bind", "/my/hosts", "/etc/hosts", ["rbind", "rprivate"]));
        var order = spec.Mounts.Select(m => m.Destination).ToList();
        Assert.True(order.IndexOf("/data") < order.IndexOf("/data/sub"));
        OciMount shm = Assert.Single(spec.Mounts, m => m.Destination == "/dev/shm");
        Assert.Equal("noexec,nosuid,nodev,rprivate,size=1m", string.Join(',', shm.Options!));
        OciMount hosts = Assert.Single(spec.Mounts, m => m.Destination == "/etc/hosts");
        Assert.Equal("/my/hosts", hosts.Source);
        Assert.Equal("rbind,ro,rprivate", string.Join(',', Assert.Single(spec.Mounts, m => m.Destination == "/data/sub").Options!));
        Assert.Null(spec.Linux?.RootfsPropagation);
    }

    [Theory]
    [InlineData("rshared", "shared")]
    [InlineData("rslave", "rslave")]
    public void SharedOrSlaveBinds_SetTheRootfsPropagation(string propagation, string expected) =>
        Assert.Equal(expected, Build(new RuntimeMount("bind", "/host", "/x", ["rbind", propagation])).Linux!.RootfsPropagation);
}
