using Berth.Api.Streams;
using Berth.Engine.Errors;

namespace Berth.UnitTests.Api.Streams;

public sealed class DetachKeysTests
{
    [Theory]
    [InlineData("ctrl-p,ctrl-q", new byte[] { 16, 17 })]
    [InlineData("ctrl-a,x", new byte[] { 1, (byte)'x' })]
    [InlineData("ctrl-@,ctrl-[,ctrl-\\,ctrl-],ctrl-^,ctrl-_", new byte[] { 0, 27, 28, 29, 30, 31 })]
    [InlineData("DEL", new byte[] { 127 })]
    [InlineData("a,b,c", new byte[] { 97, 98, 99 })]
    public void Parses(string spec, byte[] expected)
    {
        Assert.True(DetachKeys.TryParse(spec, out byte[] codes, out _));
        Assert.Equal(expected, codes);
    }

    [Theory]
    [InlineData("ctrl-", "Unknown character: 'ctrl-'")]
    [InlineData("ctrl-P", "Unknown character: 'ctrl-P'")]
    [InlineData("ab", "Unknown character: 'ab'")]
    [InlineData("ctrl-a,,x", "Unknown character: ''")]
    [InlineData(",", "Unknown character: ''")] // strings.Split gives two empty keys
    public void RefusesWithMobyText(string spec, string expected)
    {
        Assert.False(DetachKeys.TryParse(spec, out _, out string? error));
        Assert.Equal(expected, error);
    }

    [Fact]
    public void Query_EmptyIsDefault_BadIs400()
    {
        Assert.Equal(DetachKeys.Default, DetachKeys.FromQuery(null));
        Assert.Equal(DetachKeys.Default, DetachKeys.FromQuery(""));
        var e = Assert.Throws<DaemonException>(() => DetachKeys.FromQuery("ctrl-"));
        Assert.Equal(ErrorKind.InvalidParameter, e.Kind);
        Assert.Equal("Invalid detach keys (ctrl-) provided", e.Message);
    }

    private static (byte[] Passed, bool Detached) Feed(DetachScanner scanner, params byte[] input)
    {
        byte[] output = new byte[input.Length + 8];
        int n = scanner.Filter(input, output, out bool detached);
        return (output[..n], detached);
    }

    [Fact]
    public void Scanner_DetachesOnTheSequence_PassingWhatCameBefore()
    {
        var s = new DetachScanner([16, 17]);
        var (passed, detached) = Feed(s, (byte)'l', (byte)'s', 16, 17, (byte)'x');
        Assert.Equal("ls"u8.ToArray(), passed);
        Assert.True(detached);
    }

    [Fact]
    public void Scanner_HoldsAPartialMatchAcrossReads_AndReleasesItOnMismatch()
    {
        var s = new DetachScanner([16, 17]);
        Assert.Equal((Array.Empty<byte>(), false), Feed(s, 16));
        var (passed, detached) = Feed(s, (byte)'a');
        Assert.Equal(new byte[] { 16, (byte)'a' }, passed);
        Assert.False(detached);
        Assert.Equal((Array.Empty<byte>(), false), Feed(s, 16));
        Assert.True(Feed(s, 17).Detached);
    }

    [Fact]
    public void Scanner_MismatchingByteIsData_AsInMobyTerm()
    {
        // ctrl-p ctrl-p ctrl-q: the second ctrl-p breaks the match and is not a new start.
        var s = new DetachScanner([16, 17]);
        var (passed, detached) = Feed(s, 16, 16, 17);
        Assert.Equal(new byte[] { 16, 16, 17 }, passed);
        Assert.False(detached);
    }
}
