using Berth.Engine.Errors;
using Berth.Engine.Images.References;

namespace Berth.UnitTests.Engine.Images.References;

/// <summary>
/// The grammar without normalisation: distribution/reference reference_test.go TestReferenceParse
/// (domain "" where Go's Domain() is empty).
/// </summary>
public class ReferenceParseTests
{
    private const string Ff = "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff";

    public static TheoryData<string, string, string, string?, string?> Valid => new()
    {
        // input, domain, name, tag, digest
        { "test_com", "", "test_com", null, null },
        { "test.com:tag", "", "test.com", "tag", null },
        { "test.com:5000", "", "test.com", "5000", null },
        { "test.com/repo:tag", "test.com", "test.com/repo", "tag", null },
        { "test:5000/repo", "test:5000", "test:5000/repo", null, null },
        { "test:5000/repo:tag", "test:5000", "test:5000/repo", "tag", null },
        { "test:5000/repo@sha256:" + Ff, "test:5000", "test:5000/repo", null, "sha256:" + Ff },
        { "test:5000/repo:tag@sha256:" + Ff, "test:5000", "test:5000/repo", "tag", "sha256:" + Ff },
        { "lowercase:Uppercase", "", "lowercase", "Uppercase", null },
        { string.Concat(Enumerable.Repeat("a/", 127)) + "a:tag-puts-this-over-max", "a", string.Concat(Enumerable.Repeat("a/", 127)) + "a", "tag-puts-this-over-max", null },
        { "sub-dom1.foo.com/bar/baz/quux", "sub-dom1.foo.com", "sub-dom1.foo.com/bar/baz/quux", null, null },
        { "sub-dom1.foo.com/bar/baz/quux:some-long-tag", "sub-dom1.foo.com", "sub-dom1.foo.com/bar/baz/quux", "some-long-tag", null },
        { "b.gcr.io/test.example.com/my-app:test.example.com", "b.gcr.io", "b.gcr.io/test.example.com/my-app", "test.example.com", null },
        { "xn--n3h.com/myimage:xn--n3h.com", "xn--n3h.com", "xn--n3h.com/myimage", "xn--n3h.com", null },
        { "xn--7o8h.com/myimage:xn--7o8h.com@sha256:" + Ff, "xn--7o8h.com", "xn--7o8h.com/myimage", "xn--7o8h.com", "sha256:" + Ff },
        { "foo_bar.com:8080", "", "foo_bar.com", "8080", null },
        { "foo/foo_bar.com:8080", "foo", "foo/foo_bar.com", "8080", null },
        { "192.168.1.1", "", "192.168.1.1", null, null },
        { "192.168.1.1:tag", "", "192.168.1.1", "tag", null },
        { "192.168.1.1:5000", "", "192.168.1.1", "5000", null },
        { "192.168.1.1/repo", "192.168.1.1", "192.168.1.1/repo", null, null },
        { "192.168.1.1:5000/repo", "192.168.1.1:5000", "192.168.1.1:5000/repo", null, null },
        { "192.168.1.1:5000/repo:5050", "192.168.1.1:5000", "192.168.1.1:5000/repo", "5050", null },
        { "[2001:db8::1]/repo", "[2001:db8::1]", "[2001:db8::1]/repo", null, null },
        { "[2001:db8:1:2:3:4:5:6]/repo:tag", "[2001:db8:1:2:3:4:5:6]", "[2001:db8:1:2:3:4:5:6]/repo", "tag", null },
        { "[2001:db8::1]:5000/repo", "[2001:db8::1]:5000", "[2001:db8::1]:5000/repo", null, null },
        { "[2001:db8::1]:5000/repo:tag", "[2001:db8::1]:5000", "[2001:db8::1]:5000/repo", "tag", null },
        { "[2001:db8::1]:5000/repo@sha256:" + Ff, "[2001:db8::1]:5000", "[2001:db8::1]:5000/repo", null, "sha256:" + Ff },
        { "[2001:db8::1]:5000/repo:tag@sha256:" + Ff, "[2001:db8::1]:5000", "[2001:db8::1]:5000/repo", "tag", "sha256:" + Ff },
        { "[2001:db8::]:5000/repo", "[2001:db8::]:5000", "[2001:db8::]:5000/repo", null, null },
        { "[::1]:5000/repo", "[::1]:5000", "[::1]:5000/repo", null, null },
        { "example.com/" + new string('a', 255) + ":tag", "example.com", "example.com/" + new string('a', 255), "tag", null },
        // Separators: one dot, one or two underscores, any number of dashes.
        { "a/b.c_d__e---f", "a", "a/b.c_d__e---f", null, null },
        // A 128-character tag is the longest.
        { "a:" + new string('t', 128), "", "a", new string('t', 128), null },
    };

    [Theory]
    [MemberData(nameof(Valid))]
    public void ParsesValidReferences(string input, string domain, string name, string? tag, string? digest)
    {
        Assert.True(ImageReference.TryParse(input, out var reference, out var error), error);
        Assert.Equal(input, reference.ToString());
        Assert.Equal(domain, reference.Domain);
        Assert.Equal(name, reference.Name);
        Assert.Equal(tag, reference.Tag);
        Assert.Equal(digest, reference.Digest?.ToString());
    }

    public static TheoryData<string, string> Invalid => new()
    {
        { "", Messages.RepositoryNameEmpty },
        { ":justtag", Messages.InvalidReferenceFormat },
        { "@sha256:" + Ff, Messages.InvalidReferenceFormat },
        { "repo@sha256:ffffffffffffffffffffffffffffffffff", Messages.ChecksumDigestInvalidLength },
        { "validname@invaliddigest:" + Ff, Messages.DigestAlgorithmUnsupported },
        { "validname@sha512:" + Ff + Ff, Messages.DigestAlgorithmUnsupported },
        { "Uppercase:tag", Messages.RepositoryNameContainsUppercase },
        { "test:5000/Uppercase/lowercase:tag", Messages.RepositoryNameContainsUppercase },
        { "domain/" + new string('a', 256) + ":tag", Messages.RepositoryNameTooLong },
        { "aa/asdf$$^/aa", Messages.InvalidReferenceFormat },
        { "[2001:db8::1]", Messages.InvalidReferenceFormat },
        { "[2001:db8::1]:5000", Messages.InvalidReferenceFormat },
        { "[2001:db8::1]:tag", Messages.InvalidReferenceFormat },
        { "[fe80::1%eth0]:5000/repo", Messages.InvalidReferenceFormat },
        { "[fe80::1%@invalidzone]:5000/repo", Messages.InvalidReferenceFormat },
        // Digest checks of go-digest, after the grammar let the text through.
        { "repo@sha256:" + Ff.ToUpperInvariant(), Messages.ChecksumDigestInvalidFormat },
        { "repo@SHA256:" + Ff, Messages.ChecksumDigestInvalidFormat },
        { "repo@sha384:" + Ff, Messages.ChecksumDigestInvalidLength },
        { "repo@sha256:" + Ff + "@sha256:" + Ff, Messages.InvalidReferenceFormat },
        { "repo@sha256:" + new string('f', 31), Messages.InvalidReferenceFormat },
        // A 129-character tag is too long.
        { "a:" + new string('t', 129), Messages.InvalidReferenceFormat },
        { "a:.tag", Messages.InvalidReferenceFormat },
        { "a:-tag", Messages.InvalidReferenceFormat },
        { "a:ta/g", Messages.InvalidReferenceFormat },
        { "a/b:c:d", Messages.InvalidReferenceFormat },
        { "-a.com/b", Messages.InvalidReferenceFormat },
        { "a-.com/b", Messages.InvalidReferenceFormat },
        { "a..com/b", Messages.InvalidReferenceFormat },
        { "a.com:/b", Messages.InvalidReferenceFormat },
        { "a.com:50a/b", Messages.InvalidReferenceFormat },
        { "[]:5000/b", Messages.InvalidReferenceFormat },
        { "[::1]x/b", Messages.InvalidReferenceFormat },
        { "a/b..c", Messages.InvalidReferenceFormat },
        { "a/b___c", Messages.InvalidReferenceFormat },
        { "a/b_-c", Messages.InvalidReferenceFormat },
        { "a/b-", Messages.InvalidReferenceFormat },
        { "a//b", Messages.InvalidReferenceFormat },
        { "a/", Messages.InvalidReferenceFormat },
        { "a b", Messages.InvalidReferenceFormat },
    };

    [Theory]
    [MemberData(nameof(Invalid))]
    public void RefusesInvalidReferences(string input, string expected)
    {
        Assert.False(ImageReference.TryParse(input, out var reference, out var error));
        Assert.Null(reference);
        Assert.Equal(expected, error);
    }

    [Fact]
    public void PathLengthExcludesTheDomain()
    {
        var path = new string('a', 255);
        Assert.True(ImageReference.TryParse("a-very-long-registry-name.example.com:5000/" + path, out var reference, out _));
        Assert.Equal(path, reference.Path);
        Assert.True(reference.Name.Length > 255);
    }

    [Fact]
    public void LongPathologicalInputsAreLinear()
    {
        // Inputs that make backtracking regexes explode: long separator runs and near-misses.
        var inputs = new[]
        {
            string.Concat(Enumerable.Repeat("a-", 50_000)) + "!",
            string.Concat(Enumerable.Repeat("a.", 50_000)) + "/",
            new string('a', 100_000) + "@sha256:" + new string('f', 100_000) + "g",
            string.Concat(Enumerable.Repeat("a__", 50_000)) + "_",
        };
        var watch = System.Diagnostics.Stopwatch.StartNew();
        foreach (var input in inputs)
        {
            Assert.False(ImageReference.TryParseNormalizedNamed(input, out _, out _));
        }
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(2), watch.Elapsed.ToString());
    }
}
