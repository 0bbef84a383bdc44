using Berth.Linux;

namespace Berth.UnitTests.Linux;

public class HostFactsTests
{
    [Fact]
    public void ReadsPrettyNameFromOsRelease()
    {
        const string text = "NAME=\"Debian GNU/Linux\"\nPRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nVERSION_ID=\"12\"\n";
        Assert.Equal("Debian GNU/Linux 12 (bookworm)", HostFacts.ParseOsRelease(text, "PRETTY_NAME"));
        Assert.Equal("12", HostFacts.ParseOsRelease(text, "VERSION_ID"));
        Assert.Null(HostFacts.ParseOsRelease(text, "ID"));
    }

    [Fact]
    public void ReadsMemTotalInBytes()
    {
        const string text = "MemTotal:       24578236 kB\nMemFree:         1234 kB\n";
        Assert.Equal(24578236L * 1024, HostFacts.ParseMemTotal(text));
        Assert.Equal(0, HostFacts.ParseMemTotal("garbage"));
    }

    [Theory]
    [InlineData("tmpfs /sys/fs/cgroup tmpfs ro,nosuid 0 0\ncgroup2 /sys/fs/cgroup/unified cgroup2 rw 0 0\n", "1")]
    [InlineData("cgroup2 /sys/fs/cgroup cgroup2 rw,nosuid 0 0\n", "2")]
    [InlineData("", "1")]
    public void DetectsCgroupVersionFromMounts(string mounts, string expected) =>
        Assert.Equal(expected, HostFacts.ParseCgroupVersion(mounts));

    [Fact]
    public void ReportsArchitecturesAsUnameAndGoSpellThem()
    {
        Assert.Contains(HostFacts.MachineArchitecture(), new[] { "x86_64", "aarch64" });
        Assert.Contains(HostFacts.GoArch(), new[] { "amd64", "arm64" });
    }
}
