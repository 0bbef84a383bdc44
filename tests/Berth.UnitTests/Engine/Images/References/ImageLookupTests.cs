using Berth.Engine.Errors;
using Berth.Engine.Images.References;

namespace Berth.UnitTests.Engine.Images.References;

/// <summary>reference.ParseAnyReference and moby's truncated-id rule (daemon/containerd checkTruncatedID).</summary>
public class ImageLookupTests
{
    private const string Hex = "dbcc1c35ac38df41fd2f5e4130b32ffdb93ebae8b3dbe638c23575912276fc9c";

    [Theory]
    [InlineData(Hex)]
    [InlineData("sha256:" + Hex)]
    public void FullIdsAreLookedUpByIdOnly(string input)
    {
        var lookup = ImageLookup.Parse(input);
        Assert.Equal("sha256:" + Hex, lookup.Id?.ToString());
        Assert.Null(lookup.Reference);
        Assert.Null(lookup.IdPrefix);
        Assert.False(lookup.MatchesNothing);
        Assert.Equal("sha256:" + Hex, lookup.NotFoundName);
        Assert.Equal(input, lookup.Input);
    }

    [Theory]
    [InlineData("redis", "docker.io/library/redis", null, "redis:latest")]
    [InlineData("redis:latest", "docker.io/library/redis:latest", null, "redis:latest")]
    [InlineData("dmcgowan/myapp", "docker.io/dmcgowan/myapp", null, "dmcgowan/myapp:latest")]
    [InlineData("redis@sha256:" + Hex, "docker.io/library/redis@sha256:" + Hex, null, "redis@sha256:" + Hex)]
    [InlineData("dbcc1", "docker.io/library/dbcc1", "dbcc1", "dbcc1:latest")]
    [InlineData("dbcc", "docker.io/library/dbcc", "dbcc", "dbcc:latest")]
    [InlineData("dbc", "docker.io/library/dbc", null, "dbc:latest")]
    [InlineData("dbcc1c35ac38df41fd2f5e4130b32ffdb93ebae8b3dbe638c23575912276fc9", "docker.io/library/dbcc1c35ac38df41fd2f5e4130b32ffdb93ebae8b3dbe638c23575912276fc9", "dbcc1c35ac38df41fd2f5e4130b32ffdb93ebae8b3dbe638c23575912276fc9", "dbcc1c35ac38df41fd2f5e4130b32ffdb93ebae8b3dbe638c23575912276fc9:latest")]
    [InlineData("sha256:dbcc1c", "docker.io/library/sha256:dbcc1c", "dbcc1c", "sha256:dbcc1c")]
    // Uppercase hex is no digest (go-digest wants lowercase) but a fine tag of library/sha256.
    [InlineData("sha256:DBCC1C35AC38DF41FD2F5E4130B32FFDB93EBAE8B3DBE638C23575912276FC9C", "docker.io/library/sha256:DBCC1C35AC38DF41FD2F5E4130B32FFDB93EBAE8B3DBE638C23575912276FC9C", null, "sha256:DBCC1C35AC38DF41FD2F5E4130B32FFDB93EBAE8B3DBE638C23575912276FC9C")]
    [InlineData("deadbeefz", "docker.io/library/deadbeefz", null, "deadbeefz:latest")]
    public void NamesAreReferencesFirstAndMaybeIdPrefixes(string input, string reference, string? prefix, string notFoundName)
    {
        var lookup = ImageLookup.Parse(input);
        Assert.Null(lookup.Id);
        Assert.Equal(reference, lookup.Reference?.ToString());
        Assert.Equal(prefix, lookup.IdPrefix);
        Assert.Equal(notFoundName, lookup.NotFoundName);
    }

    [Fact]
    public void ASha512DigestMatchesNothing()
    {
        var input = "sha512:" + Hex + Hex;
        var lookup = ImageLookup.Parse(input);
        Assert.True(lookup.MatchesNothing);
        Assert.Equal(input, lookup.NotFoundName);
    }

    [Theory]
    [InlineData("", "invalid reference format")]
    [InlineData("Busybox", "invalid reference format: repository name (library/Busybox) must be lowercase")]
    [InlineData("sha256:", "invalid reference format")]
    public void InvalidInputIsAnInvalidParameter(string input, string expected)
    {
        Assert.False(ImageLookup.TryParse(input, out _, out var error));
        Assert.Equal(expected, error);
        var thrown = Assert.Throws<DaemonException>(() => ImageLookup.Parse(input));
        Assert.Equal(ErrorKind.InvalidParameter, thrown.Kind);
    }

    [Theory]
    [InlineData("abcd", true)]
    [InlineData("0123456789ab", true)]
    [InlineData("sha256:abcd", true)]
    [InlineData(Hex, true)]
    [InlineData("sha256:" + Hex, true)]
    [InlineData("abc", false)]
    [InlineData("sha256:abc", false)]
    [InlineData("ABCD", false)]
    [InlineData("abcg", false)]
    [InlineData(Hex + "0", false)]
    [InlineData("sha512:abcd", false)]
    [InlineData("", false)]
    [InlineData(null, false)]
    public void LooksLikeIdPrefixFollowsCheckTruncatedId(string? input, bool expected)
    {
        Assert.Equal(expected, ImageLookup.LooksLikeIdPrefix(input));
    }
}
