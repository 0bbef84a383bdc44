using Berth.Engine.Errors;
using Berth.Engine.Images;
using Berth.Engine.Images.References;

namespace Berth.UnitTests.Engine.Images.References;

/// <summary>ParseNormalizedNamed, ParseDockerRef and familiar forms (distribution/reference normalize_test.go).</summary>
public class ImageReferenceTests
{
    private const string Hex = "86e0e091d0da6bde2456dbb48306f3956bbeb2eae1b5b9a43045843f69fe4aaa";
    private const string HexId = "1a3f5e7d9c1b3a5f7e9d1c3b5a7f9e1d3c5b7a9f1e3d5d7c9b1a3f5e7d9c1b3a";

    [Theory]
    [InlineData("docker/docker")]
    [InlineData("library/debian")]
    [InlineData("debian")]
    [InlineData("localhost/library/debian")]
    [InlineData("localhost/debian")]
    [InlineData("LOCALDOMAIN/library/debian")]
    [InlineData("LOCALDOMAIN/debian")]
    [InlineData("docker.io/docker/docker")]
    [InlineData("docker.io/library/debian")]
    [InlineData("docker.io/debian")]
    [InlineData("index.docker.io/docker/docker")]
    [InlineData("index.docker.io/library/debian")]
    [InlineData("index.docker.io/debian")]
    [InlineData("127.0.0.1:5000/docker/docker")]
    [InlineData("127.0.0.1:5000/library/debian")]
    [InlineData("127.0.0.1:5000/debian")]
    [InlineData("192.168.0.1")]
    [InlineData("192.168.0.1:80")]
    [InlineData("192.168.0.1:8/debian")]
    [InlineData("192.168.0.2:25000/debian")]
    [InlineData("thisisthesongthatneverendsitgoesonandonandonthisisthesongthatnev")]
    [InlineData("[fc00::1]:5000/docker")]
    [InlineData("[fc00::1]:5000/docker/docker")]
    [InlineData("[fc00:1:2:3:4:5:6:7]:5000/library/debian")]
    [InlineData("docker.io/" + HexId)]
    [InlineData("Docker/docker")]
    [InlineData("DOCKER/docker")]
    [InlineData("docker-rules/docker")]
    [InlineData("docker---rules/docker")]
    [InlineData("doc/docker")]
    [InlineData("d/docker")]
    [InlineData("jess/t")]
    [InlineData("dock__er/docker")]
    public void AcceptsValidNames(string name)
    {
        Assert.True(ImageReference.TryParseNormalizedNamed(name, out _, out var error), error);
    }

    [Theory]
    [InlineData("https://github.com/docker/docker")]
    [InlineData("docker/Docker")]
    [InlineData("-docker")]
    [InlineData("-docker/docker")]
    [InlineData("-docker.io/docker/docker")]
    [InlineData("docker///docker")]
    [InlineData("docker.io/docker/Docker")]
    [InlineData("docker.io/docker///docker")]
    [InlineData("[fc00::1]")]
    [InlineData("[fc00::1]:5000")]
    [InlineData("fc00::1:5000/debian")]
    [InlineData("[fe80::1%eth0]:5000/debian")]
    [InlineData("[2001:db8:3:4::192.0.2.33]:5000/debian")]
    [InlineData(HexId)]
    [InlineData("docker-/docker")]
    [InlineData("-docker-/docker")]
    [InlineData("____/____")]
    [InlineData("_docker/_docker")]
    [InlineData("dock..er/docker")]
    [InlineData("dock_.er/docker")]
    [InlineData("dock-.er/docker")]
    [InlineData("docker/")]
    [InlineData("this_is_not_a_valid_namespace_because_its_lenth_is_greater_than_255_this_is_not_a_valid_namespace_because_its_lenth_is_greater_than_255_this_is_not_a_valid_namespace_because_its_lenth_is_greater_than_255_this_is_not_a_valid_namespace_because_its_lenth_is_greater_than_255/docker")]
    [InlineData("")]
    public void RefusesInvalidNames(string name)
    {
        Assert.False(ImageReference.TryParseNormalizedNamed(name, out var reference, out var error));
        Assert.Null(reference);
        Assert.False(string.IsNullOrEmpty(error));
        var thrown = Assert.Throws<DaemonException>(() => ImageReference.ParseNormalizedNamed(name));
        Assert.Equal(ErrorKind.InvalidParameter, thrown.Kind);
        Assert.Equal(error, thrown.Message);
    }

    public static TheoryData<string, string> Errors => new()
    {
        { "", "invalid reference format" },
        { "busybox:", "invalid reference format" },
        { "busybox@", "invalid reference format" },
        { ":tag", "invalid reference format" },
        { "-docker", "invalid reference format" },
        { "docker///docker", "invalid reference format" },
        { "https://github.com/docker/docker", "invalid reference format" },
        { "Busybox", "invalid reference format: repository name (library/Busybox) must be lowercase" },
        { "docker/Docker", "invalid reference format: repository name (docker/Docker) must be lowercase" },
        { "docker.io/Foo", "invalid reference format: repository name (library/Foo) must be lowercase" },
        { "localhost:5000/Foo:Bar", "invalid reference format: repository name (Foo) must be lowercase" },
        // The remote name is cut at the first ':', so an uppercase digest algorithm counts as the name.
        { "foo@SHA256:" + Hex, "invalid reference format: repository name (library/foo@SHA256) must be lowercase" },
        // A domain that is not a valid domain makes Parse lower-case the whole input.
        { "Foo_bar/x", "repository name must be lowercase" },
        { HexId, $"invalid repository name ({HexId}), cannot specify 64-byte hexadecimal strings" },
        { "a/" + new string('b', 254), "repository name must not be more than 255 characters" },
        { "busybox@sha256:abcd", "invalid reference format" },
        { "busybox@sha256:" + new string('a', 40), "invalid checksum digest length" },
        { "busybox@md5:" + new string('a', 32), "unsupported digest algorithm" },
        { "busybox@sha512:" + Hex + Hex, "unsupported digest algorithm" },
        { "busybox:" + new string('t', 129), "invalid reference format" },
    };

    [Theory]
    [MemberData(nameof(Errors))]
    public void ErrorTextsAreDockerds(string input, string expected)
    {
        Assert.False(ImageReference.TryParseNormalizedNamed(input, out _, out var error));
        Assert.Equal(expected, error);
        Assert.False(ImageReference.TryParseDockerRef(input, out _, out var dockerRefError));
        Assert.Equal(expected, dockerRefError);
    }

    [Fact]
    public void NullIsAnInvalidFormat()
    {
        Assert.False(ImageReference.TryParseNormalizedNamed(null, out _, out var error));
        Assert.Equal(Messages.InvalidReferenceFormat, error);
    }

    public static TheoryData<string, string, string, string> RepositoryInfo => new()
    {
        // input, familiar name, full name, domain; path is checked through Name.
        { "localhost/fooo", "localhost/fooo", "localhost/fooo", "localhost" },
        { "localhost/fooo/bar", "localhost/fooo/bar", "localhost/fooo/bar", "localhost" },
        { "LOCALDOMAIN/fooo", "LOCALDOMAIN/fooo", "LOCALDOMAIN/fooo", "LOCALDOMAIN" },
        { "LOCALDOMAIN/fooo/bar", "LOCALDOMAIN/fooo/bar", "LOCALDOMAIN/fooo/bar", "LOCALDOMAIN" },
        { "fooo/bar", "fooo/bar", "docker.io/fooo/bar", "docker.io" },
        { "docker.io/fooo/bar", "fooo/bar", "docker.io/fooo/bar", "docker.io" },
        { "index.docker.io/fooo/bar", "fooo/bar", "docker.io/fooo/bar", "docker.io" },
        { "ubuntu", "ubuntu", "docker.io/library/ubuntu", "docker.io" },
        { "library/ubuntu", "ubuntu", "docker.io/library/ubuntu", "docker.io" },
        { "docker.io/library/ubuntu", "ubuntu", "docker.io/library/ubuntu", "docker.io" },
        { "nonlibrary/ubuntu", "nonlibrary/ubuntu", "docker.io/nonlibrary/ubuntu", "docker.io" },
        { "other/library", "other/library", "docker.io/other/library", "docker.io" },
        { "127.0.0.1:8000/private/moonbase", "127.0.0.1:8000/private/moonbase", "127.0.0.1:8000/private/moonbase", "127.0.0.1:8000" },
        { "127.0.0.1:8000/privatebase", "127.0.0.1:8000/privatebase", "127.0.0.1:8000/privatebase", "127.0.0.1:8000" },
        { "example.com/private/moonbase", "example.com/private/moonbase", "example.com/private/moonbase", "example.com" },
        { "example.com:8000/privatebasee", "example.com:8000/privatebasee", "example.com:8000/privatebasee", "example.com:8000" },
        { "index.docker.io/library/ubuntu-12.04-base", "ubuntu-12.04-base", "docker.io/library/ubuntu-12.04-base", "docker.io" },
        { "docker.io/foo", "foo", "docker.io/library/foo", "docker.io" },
        { "library/foo/bar", "library/foo/bar", "docker.io/library/foo/bar", "docker.io" },
        { "store/foo/bar", "store/foo/bar", "docker.io/store/foo/bar", "docker.io" },
        { "Foo/bar", "Foo/bar", "Foo/bar", "Foo" },
        { "FOO/bar", "FOO/bar", "FOO/bar", "FOO" },
        { "test_com/foo", "test_com/foo", "docker.io/test_com/foo", "docker.io" },
        { "test-com:8080/foo", "test-com:8080/foo", "test-com:8080/foo", "test-com:8080" },
        { "xn--n3h.com:18080/foo", "xn--n3h.com:18080/foo", "xn--n3h.com:18080/foo", "xn--n3h.com:18080" },
        { "localhost:5000/x", "localhost:5000/x", "localhost:5000/x", "localhost:5000" },
        { "[::1]:5000/x", "[::1]:5000/x", "[::1]:5000/x", "[::1]:5000" },
        { "[2001:db8::1]/x", "[2001:db8::1]/x", "[2001:db8::1]/x", "[2001:db8::1]" },
        { "registry.example.com:443/team/app", "registry.example.com:443/team/app", "registry.example.com:443/team/app", "registry.example.com:443" },
        // "localhost" alone is a familiar name, and a single component with a port is name:tag.
        { "localhost", "localhost", "docker.io/library/localhost", "docker.io" },
        { "example.com", "example.com", "docker.io/library/example.com", "docker.io" },
        // Only docker.io gets "library/"; other domains keep a single-component path.
        { "gcr.io/busybox", "gcr.io/busybox", "gcr.io/busybox", "gcr.io" },
        // splitDockerDomain takes "foo_bar.com" as a domain, the grammar does not: the whole is the path.
        { "foo_bar.com/x", "foo_bar.com/x", "foo_bar.com/x", "" },
    };

    [Theory]
    [MemberData(nameof(RepositoryInfo))]
    public void NormalisesAndFamiliarises(string input, string familiarName, string fullName, string domain)
    {
        var reference = ImageReference.ParseNormalizedNamed(input);
        Assert.Equal(fullName, reference.Name);
        Assert.Equal(fullName, reference.ToString());
        Assert.Equal(familiarName, reference.FamiliarName);
        Assert.Equal(familiarName, reference.FamiliarString);
        Assert.Equal(domain, reference.Domain);
        Assert.Equal(domain.Length == 0 ? fullName : fullName[(domain.Length + 1)..], reference.Path);
        Assert.True(reference.IsNameOnly);
        // The familiar and the full forms parse to the same reference.
        Assert.Equal(reference, ImageReference.ParseNormalizedNamed(familiarName));
        Assert.Equal(reference, ImageReference.ParseNormalizedNamed(fullName));
    }

    [Fact]
    public void BareLocalhostWithPortIsANameAndTag()
    {
        var reference = ImageReference.ParseNormalizedNamed("localhost:5000");
        Assert.Equal("docker.io/library/localhost", reference.Name);
        Assert.Equal("5000", reference.Tag);
        Assert.Equal("localhost:5000", reference.FamiliarString);
    }

    public static TheoryData<string, string, string?, string?, string> TagsAndDigests => new()
    {
        // input, full string, tag, digest, familiar string
        { "busybox:1.36", "docker.io/library/busybox:1.36", "1.36", null, "busybox:1.36" },
        { "busybox@sha256:" + Hex, "docker.io/library/busybox@sha256:" + Hex, null, "sha256:" + Hex, "busybox@sha256:" + Hex },
        { "busybox:latest@sha256:" + Hex, "docker.io/library/busybox:latest@sha256:" + Hex, "latest", "sha256:" + Hex, "busybox:latest@sha256:" + Hex },
        { "localhost:5000/foo:bar", "localhost:5000/foo:bar", "bar", null, "localhost:5000/foo:bar" },
        { "127.0.0.1:5000/a/b", "127.0.0.1:5000/a/b", null, null, "127.0.0.1:5000/a/b" },
        { "myuser/app:V1.0_rc-2", "docker.io/myuser/app:V1.0_rc-2", "V1.0_rc-2", null, "myuser/app:V1.0_rc-2" },
        { "busybox:" + HexId, "docker.io/library/busybox:" + HexId, HexId, null, "busybox:" + HexId },
        { "[::1]:5000/x:tag@sha256:" + Hex, "[::1]:5000/x:tag@sha256:" + Hex, "tag", "sha256:" + Hex, "[::1]:5000/x:tag@sha256:" + Hex },
        { "busybox:" + new string('t', 128), "docker.io/library/busybox:" + new string('t', 128), new string('t', 128), null, "busybox:" + new string('t', 128) },
    };

    [Theory]
    [MemberData(nameof(TagsAndDigests))]
    public void ParsesTagsAndDigests(string input, string full, string? tag, string? digest, string familiar)
    {
        var reference = ImageReference.ParseNormalizedNamed(input);
        Assert.Equal(full, reference.ToString());
        Assert.Equal(tag, reference.Tag);
        Assert.Equal(digest, reference.Digest?.ToString());
        Assert.Equal(familiar, reference.FamiliarString);
        Assert.Equal(tag is null && digest is null, reference.IsNameOnly);
    }

    [Fact]
    public void PathOf255IsAllowedAnd256IsNot()
    {
        Assert.True(ImageReference.TryParseNormalizedNamed("a/" + new string('b', 253), out var reference, out _));
        Assert.Equal(255, reference.Path.Length);
        Assert.False(ImageReference.TryParseNormalizedNamed("a/" + new string('b', 254), out _, out var error));
        Assert.Equal(Messages.RepositoryNameTooLong, error);
        // "library/" counts: a 248-character familiar name makes a 256-character path.
        Assert.True(ImageReference.TryParseNormalizedNamed(new string('b', 247), out _, out _));
        Assert.False(ImageReference.TryParseNormalizedNamed(new string('b', 248), out _, out error));
        Assert.Equal(Messages.RepositoryNameTooLong, error);
    }

    [Fact]
    public void AHexIdWithADomainOrTagIsAName()
    {
        Assert.Equal("docker.io/library/" + HexId, ImageReference.ParseNormalizedNamed("docker.io/" + HexId).Name);
        Assert.Equal(HexId, ImageReference.ParseNormalizedNamed(HexId + ":tag").FamiliarName);
        // 63 hex characters are an ordinary name.
        Assert.Equal("docker.io/library/" + HexId[..63], ImageReference.ParseNormalizedNamed(HexId[..63]).Name);
    }

    [Theory]
    [InlineData("busybox", "docker.io/library/busybox:latest")]
    [InlineData("busybox:latest", "docker.io/library/busybox:latest")]
    [InlineData("busybox@sha256:" + Hex, "docker.io/library/busybox@sha256:" + Hex)]
    [InlineData("library/busybox", "docker.io/library/busybox:latest")]
    [InlineData("docker.io/busybox", "docker.io/library/busybox:latest")]
    [InlineData("docker.io/library/busybox", "docker.io/library/busybox:latest")]
    [InlineData("docker.io/busybox:latest", "docker.io/library/busybox:latest")]
    [InlineData("library/busybox:latest", "docker.io/library/busybox:latest")]
    [InlineData("docker.io/library/busybox:latest", "docker.io/library/busybox:latest")]
    [InlineData("gcr.io/library/busybox", "gcr.io/library/busybox:latest")]
    [InlineData("gcr.io/library/busybox:latest@sha256:" + Hex, "gcr.io/library/busybox@sha256:" + Hex)]
    [InlineData("busybox:1.36@sha256:" + Hex, "docker.io/library/busybox@sha256:" + Hex)]
    public void ParseDockerRefAddsLatestAndPrefersTheDigest(string input, string expected)
    {
        Assert.Equal(expected, ImageReference.ParseDockerRef(input).ToString());
        Assert.True(ImageReference.TryParseDockerRef(input, out var reference, out _));
        Assert.Equal(expected, reference.ToString());
    }

    [Fact]
    public void ParseDockerRefThrowsInvalidParameter()
    {
        var error = Assert.Throws<DaemonException>(() => ImageReference.ParseDockerRef("Busybox"));
        Assert.Equal(ErrorKind.InvalidParameter, error.Kind);
        Assert.Equal("invalid reference format: repository name (library/Busybox) must be lowercase", error.Message);
    }

    [Fact]
    public void WithDefaultTagOnlyTagsBareNames()
    {
        var bare = ImageReference.ParseNormalizedNamed("busybox");
        Assert.Equal("docker.io/library/busybox:latest", bare.WithDefaultTag().ToString());
        var tagged = ImageReference.ParseNormalizedNamed("busybox:1");
        Assert.Same(tagged, tagged.WithDefaultTag());
        var digested = ImageReference.ParseNormalizedNamed("busybox@sha256:" + Hex);
        Assert.Same(digested, digested.WithDefaultTag());
        Assert.Null(digested.WithDefaultTag().Tag);
    }

    [Fact]
    public void WithTagAndWithDigestKeepTheOtherPart()
    {
        var digest = Digest.Parse("sha256:" + Hex);
        var reference = ImageReference.ParseNormalizedNamed("busybox:1");
        var both = reference.WithDigest(digest);
        Assert.Equal("docker.io/library/busybox:1@sha256:" + Hex, both.ToString());
        Assert.Equal("docker.io/library/busybox:2@sha256:" + Hex, both.WithTag("2").ToString());
        Assert.Equal("docker.io/library/busybox", both.TrimNamed().ToString());
        Assert.True(both.TrimNamed().IsNameOnly);
        Assert.Equal("1", both.Tag);
        Assert.Equal(digest, both.Digest);
    }

    [Theory]
    [InlineData("-foo")]
    [InlineData(".foo")]
    [InlineData("")]
    [InlineData("a/b")]
    [InlineData("a:b")]
    [InlineData("a@b")]
    [InlineData("é")]
    public void WithTagRefusesInvalidTags(string tag)
    {
        var reference = ImageReference.ParseNormalizedNamed("busybox");
        var error = Assert.Throws<DaemonException>(() => reference.WithTag(tag));
        Assert.Equal(ErrorKind.InvalidParameter, error.Kind);
        Assert.Equal("invalid tag format", error.Message);
        Assert.False(ImageReference.IsValidTag(tag));
    }

    [Fact]
    public void TagLengthLimitIs128()
    {
        Assert.True(ImageReference.IsValidTag(new string('a', 128)));
        Assert.False(ImageReference.IsValidTag(new string('a', 129)));
        Assert.True(ImageReference.IsValidTag("_"));
        Assert.True(ImageReference.IsValidTag("A.b-c_D"));
        Assert.False(ImageReference.IsValidTag(null));
    }

    [Fact]
    public void EqualityIsByValue()
    {
        var a = ImageReference.ParseNormalizedNamed("busybox:1");
        var b = ImageReference.ParseNormalizedNamed("docker.io/library/busybox:1");
        Assert.Equal(a, b);
        Assert.True(a == b);
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
        Assert.NotEqual(a, ImageReference.ParseNormalizedNamed("busybox:2"));
        Assert.NotEqual(a, ImageReference.ParseNormalizedNamed("busybox"));
        Assert.True(a != null);
    }
}
