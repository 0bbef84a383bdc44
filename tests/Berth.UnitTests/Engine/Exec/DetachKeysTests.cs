using Berth.Engine.Exec;

namespace Berth.UnitTests.Engine.Exec;

public sealed class DetachKeysTests
{
    [Theory]
    [InlineData("ctrl-p,ctrl-q", new byte[] { 16, 17 })]
    [InlineData("ctrl-a,x", new byte[] { 1, (byte)'x' })]
    [InlineData("ctrl-@,ctrl-[,ctrl-\\,ctrl-_,DEL", new byte[] { 0, 27, 28, 31, 127 })]
    public void Parse_AsMobyTerm(string keys, byte[] expected) => Assert.Equal(expected, DetachKeys.TryParse(keys, out _));

    [Theory]
    [InlineData("ctrl-1", "Unknown character: 'ctrl-1'")]
    [InlineData("ctrl-P", "Unknown character: 'ctrl-P'")]
    [InlineData("a,,b", "Unknown character: ''")]
    public void Parse_RejectsUnknownKeys(string keys, string error)
    {
        Assert.Null(DetachKeys.TryParse(keys, out string? message));
        Assert.Equal(error, message);
    }

    [Fact]
    public void Scanner_HoldsBackPrefixes_AndStopsAtTheSequence()
    {
        var scanner = new EscapeScanner([16, 17]);
        var forward = new List<byte>();
        Assert.False(scanner.Scan("ab"u8, forward));
        Assert.False(scanner.Scan([16], forward)); // may start the sequence: held back
        Assert.Equal("ab"u8.ToArray(), forward);
        Assert.False(scanner.Scan("c"u8, forward)); // it did not: given back
        Assert.Equal([(byte)'a', (byte)'b', 16, (byte)'c'], forward);
        forward.Clear();
        Assert.True(scanner.Scan([(byte)'d', 16, 17, (byte)'e'], forward));
        Assert.Equal("d"u8.ToArray(), forward);
        // Empty keys mean dockerd's default, ctrl-p ctrl-q.
        Assert.True(new EscapeScanner([]).Scan([16, 17], []));
    }
}
