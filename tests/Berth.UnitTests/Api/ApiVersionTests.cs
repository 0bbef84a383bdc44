using Berth.Api.Http;

namespace Berth.UnitTests.Api;

public class ApiVersionTests
{
    [Theory]
    [InlineData("1.44", 1, 44)]
    [InlineData("1.24", 1, 24)]
    [InlineData("2.0", 2, 0)]
    public void ParsesMajorMinor(string text, int major, int minor)
    {
        Assert.True(ApiVersion.TryParse(text, out var v));
        Assert.Equal(new ApiVersion(major, minor), v);
    }

    [Theory]
    [InlineData("")]
    [InlineData("1")]
    [InlineData("1.")]
    [InlineData(".4")]
    [InlineData("1.-4")]
    [InlineData("a.b")]
    [InlineData("1.4 ")]
    public void RejectsMalformed(string text) => Assert.False(ApiVersion.TryParse(text, out _));

    [Fact]
    public void OrdersNumericallyNotLexically()
    {
        Assert.True(new ApiVersion(1, 9) < new ApiVersion(1, 10));
        Assert.True(new ApiVersion(2, 0) > new ApiVersion(1, 99));
    }

    [Fact]
    public void AdvertisesAtLeastTheVersionTestcontainersPins()
    {
        Assert.True(ApiVersions.Max >= new ApiVersion(1, 44));
        Assert.Equal(new ApiVersion(1, 24), ApiVersions.Min);
    }
}
