using System.Text;
using Berth.Engine.Distribution;

namespace Berth.UnitTests.Engine.Distribution;

public sealed class PushCompressionTests
{
    [Fact]
    public void RandomDataIsStored()
    {
        var sample = new byte[PushCompression.SampleSize];
        new Random(7).NextBytes(sample);
        Assert.Equal(0, PushCompression.LevelFor(sample));
    }

    [Fact]
    public void TextIsCompressed()
    {
        var text = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Range(0, 40_000).Select(i => $"line {i} of a config file\n")));
        Assert.Equal(1, PushCompression.LevelFor(text));
    }

    [Fact]
    public void ASmallLayerTakesTheDefault()
    {
        var sample = new byte[1000];
        new Random(7).NextBytes(sample);
        Assert.Equal(1, PushCompression.LevelFor(sample));
    }
}
