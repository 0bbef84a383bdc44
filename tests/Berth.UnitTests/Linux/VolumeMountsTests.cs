using Berth.Linux;

namespace Berth.UnitTests.Linux;

public sealed class VolumeMountsTests
{
    [Theory]
    [InlineData("", 0UL, "")]
    [InlineData("size=1m", 0UL, "size=1m")]
    [InlineData("bind", VolumeMounts.MsBind, "")]
    [InlineData("rbind,ro", VolumeMounts.MsBind | VolumeMounts.MsRec | VolumeMounts.MsRdonly, "")]
    [InlineData("ro,rw,nosuid,uid=1000,size=1m", VolumeMounts.MsNosuid, "uid=1000,size=1m")]
    [InlineData("defaults,noexec,addr=10.0.0.1,,nfsvers=4", VolumeMounts.MsNoexec, "addr=10.0.0.1,nfsvers=4")]
    public void ParseOptions(string o, ulong flags, string data) =>
        Assert.Equal((flags, data), VolumeMounts.ParseOptions(o));

    [Fact]
    public void ParseMountInfoUnescapesPaths()
    {
        const string text = """
            22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw
            90 22 0:50 / /var/lib/berth/volumes/my\040vol/_data rw - tmpfs tmpfs rw,size=1024k
            91 22 0:51 / /a\134b rw - tmpfs tmpfs rw
            """;
        var mounts = VolumeMounts.ParseMountInfo(text);
        Assert.Contains("/", mounts);
        Assert.Contains("/var/lib/berth/volumes/my vol/_data", mounts);
        Assert.Contains("/a\\b", mounts);
    }

    [Fact]
    public void ParseFilesystems()
    {
        var fs = VolumeMounts.ParseFilesystems("nodev\tsysfs\nnodev\ttmpfs\n\text4\n\txfs\n");
        Assert.Equal(["sysfs", "tmpfs", "ext4", "xfs"], fs);
    }

    [Fact]
    public void TmpfsIsAvailableAndNonsenseIsNot()
    {
        Assert.True(VolumeMounts.FilesystemAvailable("tmpfs"));
        Assert.False(VolumeMounts.FilesystemAvailable("definitely-not-a-filesystem"));
    }
}
