using Berth.Engine.Errors;
using Berth.Engine.Mounts;

namespace Berth.UnitTests.Engine.Mounts;

/// <summary>dockerd's -v / --mount / --volumes-from parsing rules and texts (moby linux_parser).</summary>
public sealed class MountParserTests
{
    [Theory]
    [InlineData("/data", "volume", "", "/data", true, "")]
    [InlineData("name:/data", "volume", "name", "/data", true, "")]
    [InlineData("name:/data:ro", "volume", "name", "/data", false, "ro")]
    [InlineData("/host:/c", "bind", "/host", "/c", true, "")]
    [InlineData("/host/../x/:/c/./d/:ro,z,rshared", "bind", "/x", "/c/d", false, "ro,z,rshared")]
    public void Binds_ParseLikeDockerd(string raw, string type, string source, string destination, bool rw, string mode)
    {
        MountPoint m = MountParser.ParseBind(raw);
        Assert.Equal(type, m.Type);
        Assert.Equal(destination, m.Destination);
        Assert.Equal(rw, m.RW);
        Assert.Equal(mode, m.Mode);
        Assert.Equal(source, type == "bind" ? m.Source : m.Name);
        Assert.Equal(source.Length == 0 && type == "volume", m.AnonymousSpec);
    }

    [Fact]
    public void Binds_PropagationAndCopyMode()
    {
        Assert.Equal("rprivate", MountParser.ParseBind("/a:/b").Propagation);
        Assert.Equal("rslave", MountParser.ParseBind("/a:/b:rslave").Propagation);
        Assert.True(MountParser.ParseBind("v:/b").CopyData);
        Assert.False(MountParser.ParseBind("v:/b:nocopy").CopyData);
    }

    [Theory]
    [InlineData("", "invalid volume specification: ''")]
    [InlineData("/foo:rw", "invalid volume specification: '/foo:rw'")]
    [InlineData("a:b:c:d", "invalid volume specification: 'a:b:c:d'")]
    [InlineData("/a:/b:rx", "invalid mode: rx")]
    [InlineData("/a:/b:ro,rw", "invalid mode: ro,rw")]
    [InlineData("/a:/", "invalid volume specification: '/a:/': invalid mount config for type \"bind\": invalid specification: destination can't be '/'")]
    [InlineData("v:rel", "invalid volume specification: 'v:rel': invalid mount config for type \"volume\": invalid mount path: 'rel' mount path must be absolute")]
    public void Binds_RejectWithDockerdTexts(string raw, string message)
    {
        var e = Assert.Throws<DaemonException>(() => MountParser.ParseBind(raw));
        Assert.Equal(ErrorKind.InvalidParameter, e.Kind);
        Assert.Equal(message, e.Message);
    }

    [Fact]
    public void NonRecursiveBind_BindsWithoutRec_AsMoby()
    {
        MountPoint plain = MountParser.ParseMount(new MountSettings { Type = "bind", Source = "/x", Target = "/t" }, _ => true);
        MountPoint flat = MountParser.ParseMount(
            new MountSettings { Type = "bind", Source = "/x", Target = "/t", ReadOnly = true, BindOptions = new BindMountSettings(NonRecursive: true) }, _ => true);
        Assert.False(plain.NonRecursive);
        Assert.True(flat.NonRecursive);
        Assert.Equal(["rbind", "rprivate"], ContainerMounts.BindOptions(plain));
        Assert.Equal(["bind", "ro", "rprivate"], ContainerMounts.BindOptions(flat));
        Assert.False(MountParser.ParseBind("/a:/b").NonRecursive); // -v is always recursive
    }

    [Fact]
    public void Mounts_ValidateLikeDockerd()
    {
        static string Error(MountSettings m) => Assert.Throws<DaemonException>(() => MountParser.ParseMount(m, _ => false)).Message;
        Assert.Equal("invalid mount config for type \"bind\": bind source path does not exist: /x",
            Error(new MountSettings { Type = "bind", Source = "/x", Target = "/t" }));
        Assert.Equal("invalid mount config for type \"bind\": field Source must not be empty", Error(new MountSettings { Type = "bind", Target = "/t" }));
        Assert.Equal("invalid mount config for type \"volume\": must not set ReadOnly mode when using anonymous volumes",
            Error(new MountSettings { Type = "volume", Target = "/t", ReadOnly = true }));
        Assert.Equal("invalid mount config for type \"tmpfs\": field Source must not be specified", Error(new MountSettings { Type = "tmpfs", Source = "x", Target = "/t" }));
        Assert.Equal("invalid mount config for type \"foo\": mount type unknown", Error(new MountSettings { Type = "foo", Target = "/t" }));
        Assert.Equal("invalid mount config for type \"volume\": field Target must not be empty", Error(new MountSettings { Type = "volume" }));
        Assert.Equal("invalid mount config for type \"bind\": invalid propagation mode: weird",
            Error(new MountSettings { Type = "bind", Source = "/x", Target = "/t", BindOptions = new BindMountSettings("weird") }));

        MountPoint created = MountParser.ParseMount(new MountSettings { Type = "bind", Source = "/x", Target = "/t", BindOptions = new BindMountSettings(CreateMountpoint: true) }, _ => false);
        Assert.False(created.SkipMountpointCreation);
        MountPoint nocopy = MountParser.ParseMount(new MountSettings { Type = "volume", Source = "v", Target = "/t", VolumeOptions = new VolumeMountSettings(NoCopy: true) }, _ => true);
        Assert.False(nocopy.CopyData);
    }

    [Theory]
    [InlineData(1048576, 0u, false, "size=1m")]
    [InlineData(1536, 0u, false, "size=1536")]
    [InlineData(2147483648, 0x3F8u, true, "ro,mode=1770,size=2g")]
    [InlineData(0, 0u, false, "")]
    public void TmpfsOptions_ConvertLikeDockerd(long size, uint mode, bool readOnly, string expected) =>
        Assert.Equal(expected, MountParser.TmpfsData(new TmpfsMountSettings(size, mode), readOnly));

    [Fact]
    public void VolumesFrom_ModesLikeDockerd()
    {
        Assert.Equal(("c1", "rw"), MountParser.ParseVolumesFrom("c1"));
        Assert.Equal(("c1", "ro"), MountParser.ParseVolumesFrom("c1:ro"));
        Assert.Equal("invalid mode: rshared", Assert.Throws<DaemonException>(() => MountParser.ParseVolumesFrom("c1:rshared")).Message);
        Assert.Equal("invalid mode: nocopy", Assert.Throws<DaemonException>(() => MountParser.ParseVolumesFrom("c1:nocopy")).Message);
        Assert.Equal("volumes-from specification cannot be an empty string", Assert.Throws<DaemonException>(() => MountParser.ParseVolumesFrom("")).Message);
    }
}
