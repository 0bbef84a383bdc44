using System.Text;
using Berth.Runtime.Monitor;

namespace Berth.UnitTests.Runtime.Monitor;

public sealed class K8sLogTests
{
    private const long T0 = 1_795_816_852_845_402_760; // 2026-11-27T22:00:52.845402760Z

    [Fact]
    public void ParsesRecord_KeepingNanoseconds()
    {
        Assert.True(K8sLogRecord.TryParse("2026-11-27T22:00:52.845402760+00:00 stdout F started"u8, out K8sLogRecord r));
        Assert.Equal(T0, r.TimestampNanos);
        Assert.Equal(DockerStreamId.Stdout, r.Stream);
        Assert.False(r.Partial);
        Assert.Equal("started", Encoding.UTF8.GetString(r.Content));
    }

    [Fact]
    public void OffsetsAreConvertedToUtc()
    {
        Assert.True(K8sLogRecord.TryParseTimestamp("2026-11-28T00:00:52.845402760+02:00"u8, out long a));
        Assert.True(K8sLogRecord.TryParseTimestamp("2026-11-27T22:00:52.84540276Z"u8, out long b));
        Assert.Equal(T0, a);
        Assert.Equal(T0, b);
    }

    [Theory]
    [InlineData("garbage")]
    [InlineData("2026-11-27T22:00:52.1+00:00 stdin F x")]
    [InlineData("2026-11-27T22:00:52.1+00:00 stdout X x")]
    [InlineData("2026-13-27T22:00:52.1+00:00 stdout F x")]
    public void RejectsMalformedLines(string line) => Assert.False(K8sLogRecord.TryParse(Encoding.UTF8.GetBytes(line), out _));

    [Fact]
    public void EmptyContentIsAnEmptyLine()
    {
        Assert.True(K8sLogRecord.TryParse("2026-11-27T22:00:52.845402760+00:00 stderr F"u8, out K8sLogRecord r));
        Assert.Equal(0, r.Content.Length);
    }

    [Fact]
    public void FormatsDockerTimestamp()
    {
        byte[] buffer = new byte[40];
        int n = K8sLogRecord.FormatTimestamp(T0, buffer);
        Assert.Equal("2026-11-27T22:00:52.845402760Z", Encoding.ASCII.GetString(buffer, 0, n));
    }
}
