using System.IO.Pipelines;
using System.Text;
using Berth.Api.Streams;
using Berth.Engine.Containers;

namespace Berth.UnitTests.Api.Streams;

public sealed class DockerLogSinkTests
{
    private const long T0 = 1_795_816_852_845_402_760; // 2026-11-27T22:00:52.845402760Z

    private static async Task<byte[]> WriteAsync(bool multiplexed, bool timestamps, string? details, Action<DockerLogSink> write)
    {
        var pipe = new Pipe();
        var sink = new DockerLogSink(pipe.Writer, multiplexed, timestamps, details);
        write(sink);
        await sink.FlushAsync(CancellationToken.None);
        await pipe.Writer.CompleteAsync();
        var ms = new MemoryStream();
        await pipe.Reader.CopyToAsync(ms);
        return ms.ToArray();
    }

    [Fact]
    public async Task MultiplexedFrame_WithTimestamp()
    {
        byte[] b = await WriteAsync(true, true, null, s => s.Write(T0, OutputKind.Stderr, "oops"u8, true));
        Assert.Equal(new byte[] { 2, 0, 0, 0, 0, 0, 0, 36 }, b[..8]);
        Assert.Equal("2026-11-27T22:00:52.845402760Z oops\n", Encoding.ASCII.GetString(b, 8, b.Length - 8));
    }

    [Fact]
    public async Task RawForTty_NoNewlineForIncompleteEntry()
    {
        byte[] b = await WriteAsync(false, false, null, s => s.Write(T0, OutputKind.Stdout, "prompt$ "u8, false));
        Assert.Equal("prompt$ ", Encoding.ASCII.GetString(b));
    }

    [Fact]
    public async Task Details_ComeAfterTheTimestamp_EmptyIsALeadingSpace()
    {
        byte[] b = await WriteAsync(false, true, "a=1", s => s.Write(T0 + 1_000_000_000, OutputKind.Stdout, "x"u8, true));
        Assert.Equal("2026-11-27T22:00:53.845402760Z a=1 x\n", Encoding.ASCII.GetString(b));
        byte[] e = await WriteAsync(false, false, "", s => s.Write(T0, OutputKind.Stdout, "x"u8, true));
        Assert.Equal(" x\n", Encoding.ASCII.GetString(e));
    }

    [Fact]
    public async Task Timestamp_KeepsAllNineDigits_AcrossSeconds()
    {
        byte[] b = await WriteAsync(false, true, null, s =>
        {
            s.Write(1_795_816_852_000_000_007, OutputKind.Stdout, "a"u8, true);
            s.Write(1_795_816_853_100_000_000, OutputKind.Stdout, "b"u8, true);
        });
        Assert.Equal("2026-11-27T22:00:52.000000007Z a\n2026-11-27T22:00:53.100000000Z b\n", Encoding.ASCII.GetString(b));
    }
}
