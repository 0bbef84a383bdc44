using Berth.Engine.Images.Archive;

namespace Berth.UnitTests.Engine.Images.Archive;

public sealed class ArchivePathTests
{
    [Theory]
    [InlineData("manifest.json", "manifest.json")]
    [InlineData("./manifest.json", "manifest.json")]
    [InlineData("blobs//sha256/./abc", "blobs/sha256/abc")]
    [InlineData("a/b/../c", "a/c")]
    [InlineData("a/", "a")]
    [InlineData("../etc/passwd", null)]
    [InlineData("../../etc/passwd", null)]
    [InlineData("a/../../b", null)]
    [InlineData("/etc/passwd", null)]
    [InlineData("", null)]
    [InlineData(".", null)]
    [InlineData("a/..", null)]
    [InlineData("a\0b", null)]
    public void Clean_confines_names_to_the_root(string name, string? expected) =>
        Assert.Equal(expected, ArchivePath.Clean(name));

    [Theory]
    [InlineData("abc/layer.tar", "../def/layer.tar", "def/layer.tar")]
    [InlineData("abc/layer.tar", "../blobs/sha256/x", "blobs/sha256/x")]
    [InlineData("layer.tar", "other.tar", "other.tar")]
    [InlineData("abc/layer.tar", "../../etc/passwd", null)]
    [InlineData("abc/layer.tar", "/etc/passwd", null)]
    [InlineData("layer.tar", "..", null)]
    public void Symlinks_resolve_relative_to_their_directory_and_never_leave_the_root(string link, string target, string? expected) =>
        Assert.Equal(expected, ArchivePath.ResolveLink(link, target));

    [Theory]
    [InlineData("blobs/sha256/0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", true)]
    [InlineData("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef.json", true)]
    [InlineData("abc/layer.tar", false)]
    [InlineData("blobs/sha256/XYZ", false)]
    public void Digest_in_name_is_recognised(string path, bool hasDigest) =>
        Assert.Equal(hasDigest, ArchiveLayout.DigestInName(path) is not null);
}

public sealed class PlatformMatcherTests
{
    private static OciDescriptor D(string arch, string? variant = null, string os = "linux") =>
        new() { Digest = $"{os}/{arch}/{variant}", Platform = new OciPlatform { Os = os, Architecture = arch, Variant = variant } };

    [Fact]
    public void Amd64_host_picks_amd64_from_a_multi_platform_index()
    {
        var matcher = new PlatformMatcher("amd64", null);
        var chosen = matcher.Select([D("arm64", "v8"), D("arm", "v7"), D("amd64"), D("s390x")]);
        Assert.Equal("linux/amd64/", chosen?.Digest);
    }

    [Fact]
    public void Arm64_host_accepts_arm64_with_or_without_v8()
    {
        var matcher = new PlatformMatcher("arm64", null);
        Assert.Equal("linux/arm64/", matcher.Select([D("amd64"), D("arm64")])?.Digest);
        Assert.Equal("linux/arm64/v8", matcher.Select([D("amd64"), D("arm64", "v8")])?.Digest);
        Assert.True(matcher.Matches(new OciPlatform { Os = "linux", Architecture = "aarch64" }));
    }

    [Fact]
    public void Arm_v7_prefers_the_exact_variant_and_refuses_newer_ones()
    {
        var matcher = new PlatformMatcher("arm", "v7");
        Assert.Equal("linux/arm/v7", matcher.Select([D("arm", "v6"), D("arm", "v7")])?.Digest);
        Assert.Equal("linux/arm/v6", matcher.Select([D("arm", "v6"), D("arm", "v8")])?.Digest);
        Assert.Null(matcher.Select([D("arm", "v8")]));
    }

    [Fact]
    public void Other_operating_systems_and_attestations_are_skipped()
    {
        var matcher = new PlatformMatcher("amd64", null);
        var attestation = new OciDescriptor { Digest = "att", Platform = new OciPlatform { Os = "unknown", Architecture = "unknown" } };
        var noPlatform = new OciDescriptor { Digest = "none" };
        Assert.Null(matcher.Select([D("amd64", os: "windows"), attestation, noPlatform]));
        Assert.True(matcher.Matches(null));
    }
}
