using Berth.Engine.State;

namespace Berth.UnitTests.Engine.State;

public sealed class IdGeneratorTests
{
    [Fact]
    public void NewId_Is64LowercaseHexAndUnique()
    {
        var ids = Enumerable.Range(0, 500).Select(_ => IdGenerator.NewId()).ToList();

        Assert.All(ids, id =>
        {
            Assert.Equal(64, id.Length);
            Assert.Matches("^[0-9a-f]{64}$", id);
            Assert.True(IdGenerator.IsFullId(id));
        });
        Assert.Equal(ids.Count, ids.Distinct().Count());
    }

    [Fact]
    public void NewId_ShortFormIsNeverAllDigits()
    {
        // (10/16)^12 ≈ 0.35% of raw draws are all-digit, so 5000 ids exercise the retry path.
        for (var i = 0; i < 5000; i++)
        {
            var shortId = IdGenerator.TruncateId(IdGenerator.NewId());
            Assert.False(shortId.All(char.IsAsciiDigit), shortId);
        }
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("abc")]
    [InlineData("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcde")]
    [InlineData("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0")]
    [InlineData("0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef")]
    [InlineData("0123456789abcdeg0123456789abcdef0123456789abcdef0123456789abcdef")]
    public void IsFullId_RejectsWrongShape(string? value) => Assert.False(IdGenerator.IsFullId(value));

    [Theory]
    [InlineData("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", "0123456789ab")]
    [InlineData("sha256:0123456789abcdef0123456789abcdef", "0123456789ab")]
    [InlineData("abc", "abc")]
    public void TruncateId_Keeps12CharsWithoutAlgorithm(string id, string expected) =>
        Assert.Equal(expected, IdGenerator.TruncateId(id));
}
