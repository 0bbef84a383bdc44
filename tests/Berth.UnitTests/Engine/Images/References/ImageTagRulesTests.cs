using Berth.Engine.Errors;
using Berth.Engine.Images;
using Berth.Engine.Images.References;

namespace Berth.UnitTests.Engine.Images.References;

/// <summary>POST /images/{name}/tag (moby postImagesTag + httputils.RepoTagReference) and refstore AddTag.</summary>
public class ImageTagRulesTests
{
    private const string Hex = "86e0e091d0da6bde2456dbb48306f3956bbeb2eae1b5b9a43045843f69fe4aaa";

    [Theory]
    [InlineData("busybox", null, "docker.io/library/busybox:latest")]
    [InlineData("busybox", "", "docker.io/library/busybox:latest")]
    [InlineData("busybox", "1.36", "docker.io/library/busybox:1.36")]
    [InlineData("docker.io/library/busybox", "v1", "docker.io/library/busybox:v1")]
    [InlineData("busybox:1.0", null, "docker.io/library/busybox:1.0")]
    [InlineData("busybox:1.0", "2.0", "docker.io/library/busybox:2.0")]
    [InlineData("localhost:5000/app", "x", "localhost:5000/app:x")]
    [InlineData("myuser/app", Hex, "docker.io/myuser/app:" + Hex)]
    [InlineData("sha256/app", null, "docker.io/sha256/app:latest")]
    [InlineData("example.com/sha256", null, "example.com/sha256:latest")]
    public void ValidRequestsGiveATaggedReference(string repo, string? tag, string expected)
    {
        Assert.True(ImageTagRules.TryValidateTagRequest(repo, tag, out var reference, out var error), error);
        Assert.NotNull(reference);
        Assert.Equal(expected, reference.ToString());
        Assert.NotNull(reference.Tag);
        Assert.Null(reference.Digest);
        Assert.Equal(expected, ImageTagRules.ValidateTagRequest(repo, tag)?.ToString());
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public void AnEmptyRepoIsANoOp(string? repo)
    {
        Assert.True(ImageTagRules.TryValidateTagRequest(repo, "x", out var reference, out var error));
        Assert.Null(reference);
        Assert.Null(error);
        Assert.Null(ImageTagRules.ValidateTagRequest(repo, "x"));
    }

    public static TheoryData<string, string?, string> Invalid => new()
    {
        { "Busybox", null, "invalid reference format: repository name (library/Busybox) must be lowercase" },
        { "busy box", null, "invalid reference format" },
        { "86e0e091d0da6bde2456dbb48306f3956bbeb2eae1b5b9a43045843f69fe4aaa", "x", $"invalid repository name ({Hex}), cannot specify 64-byte hexadecimal strings" },
        { "busybox@sha256:" + Hex, null, "cannot import digest reference" },
        { "busybox:1@sha256:" + Hex, "2", "cannot import digest reference" },
        { "busybox", "-bad", "invalid tag format" },
        { "busybox", "a/b", "invalid tag format" },
        { "busybox", new string('t', 129), "invalid tag format" },
        { "sha256", null, "refusing to create an ambiguous tag using digest algorithm as name" },
        { "library/sha256", "x", "refusing to create an ambiguous tag using digest algorithm as name" },
        { "docker.io/sha256", "x", "refusing to create an ambiguous tag using digest algorithm as name" },
    };

    [Theory]
    [MemberData(nameof(Invalid))]
    public void InvalidRequestsGiveDockerdsText(string repo, string? tag, string expected)
    {
        Assert.False(ImageTagRules.TryValidateTagRequest(repo, tag, out var reference, out var error));
        Assert.Null(reference);
        Assert.Equal(expected, error);
        var thrown = Assert.Throws<DaemonException>(() => ImageTagRules.ValidateTagRequest(repo, tag));
        Assert.Equal(ErrorKind.InvalidParameter, thrown.Kind);
        Assert.Equal(expected, thrown.Message);
    }

    [Fact]
    public void EnsureTaggableRefusesDigestsAndTheAlgorithmName()
    {
        var digested = ImageReference.ParseNormalizedNamed("busybox@sha256:" + Hex);
        var error = Assert.Throws<DaemonException>(() => ImageTagRules.EnsureTaggable(digested));
        Assert.Equal(ErrorKind.InvalidParameter, error.Kind);
        Assert.Equal("refusing to create a tag with a digest reference", error.Message);

        error = Assert.Throws<DaemonException>(() => ImageTagRules.EnsureTaggable(ImageReference.ParseNormalizedNamed("sha256:x")));
        Assert.Equal(Messages.AmbiguousTagDigestAlgorithm, error.Message);

        Assert.Equal("docker.io/library/busybox:latest", ImageTagRules.EnsureTaggable(digested.TrimNamed()).ToString());
        var tagged = ImageReference.ParseNormalizedNamed("busybox:1").WithDigest(Digest.Parse("sha256:" + Hex));
        Assert.Throws<DaemonException>(() => ImageTagRules.EnsureTaggable(tagged));
    }
}
