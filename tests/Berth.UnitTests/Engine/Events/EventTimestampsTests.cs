using Berth.Engine.Errors;
using Berth.Engine.Events;

namespace Berth.UnitTests.Engine.Events;

public class EventTimestampsTests
{
    [Theory]
    [InlineData("1700000000", 1_700_000_000_000_000_000L)]
    [InlineData("1700000000.123456789", 1_700_000_000_123_456_789L)]
    [InlineData("1700000000.5", 1_700_000_000_500_000_000L)]
    [InlineData("1700000000.000000001", 1_700_000_000_000_000_001L)]
    [InlineData("1700000000.1234567899", 1_700_000_000_123_456_789L)] // extra digits truncated
    [InlineData("0", 0L)]
    [InlineData("+5", 5_000_000_000L)]
    [InlineData("-5", -5_000_000_000L)]
    [InlineData("99999999999", long.MaxValue)] // beyond 2262: saturates
    public void ParsesSecondsAndFraction(string text, long expected)
    {
        Assert.Equal(expected, EventTimestamps.ParseNanoseconds(text));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public void AbsentIsNull(string? text)
    {
        Assert.Null(EventTimestamps.ParseNanoseconds(text));
    }

    [Theory]
    [InlineData("abc", "strconv.ParseInt: parsing \"abc\": invalid syntax")]
    [InlineData("10m", "strconv.ParseInt: parsing \"10m\": invalid syntax")]
    [InlineData("2023-11-14T22:13:20Z", "strconv.ParseInt: parsing \"2023-11-14T22:13:20Z\": invalid syntax")]
    [InlineData("1.", "strconv.ParseInt: parsing \"\": invalid syntax")]
    [InlineData(".5", "strconv.ParseInt: parsing \"\": invalid syntax")]
    [InlineData("1.2.3", "strconv.ParseInt: parsing \"2.3\": invalid syntax")]
    [InlineData(" 1", "strconv.ParseInt: parsing \" 1\": invalid syntax")]
    [InlineData("99999999999999999999", "strconv.ParseInt: parsing \"99999999999999999999\": value out of range")]
    public void RejectsWithStrconvText(string text, string message)
    {
        var error = Assert.Throws<DaemonException>(() => EventTimestamps.ParseNanoseconds(text));
        Assert.Equal(ErrorKind.InvalidParameter, error.Kind);
        Assert.Equal(message, error.Message);
    }
}
