using System.IO.Compression;

namespace Berth.Engine.Distribution;

/// <summary>
/// Chooses the gzip level of a pushed layer from its first MiB: data that level 1 cannot shrink
/// (random, already compressed) is sent as stored deflate blocks — zlib-ng's level 1 never falls
/// back to stored blocks, so such data would grow ~10% and every pull would pay a Huffman decode
/// per byte, while level 2 and up cost the push several times the CPU. The rest gets level 1.
/// </summary>
internal static class PushCompression
{
    public const int SampleSize = 1 << 20;

    public static int LevelFor(ReadOnlySpan<byte> sample)
    {
        if (sample.Length < 64 * 1024)
        {
            return 1;
        }
        using var sink = new CountingStream();
        using (var deflate = new DeflateStream(sink, new ZLibCompressionOptions { CompressionLevel = 1 }, leaveOpen: true))
        {
            deflate.Write(sample);
        }
        return sink.Count >= sample.Length * 97L / 100 ? 0 : 1;
    }

    /// <summary>Counts what is written and keeps nothing.</summary>
    private sealed class CountingStream : Stream
    {
        public long Count { get; private set; }

        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => Count;
        public override long Position { get => Count; set => throw new NotSupportedException(); }

        public override void Write(byte[] buffer, int offset, int count) => Count += count;

        public override void Write(ReadOnlySpan<byte> buffer) => Count += buffer.Length;

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
