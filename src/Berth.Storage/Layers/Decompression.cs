using System.IO.Compression;

namespace Berth.Storage.Layers;

/// <summary>
/// Layer blobs come plain, gzip'd or zstd'd; the media type is not trusted (dockerd sniffs too),
/// so the first bytes decide: 1f 8b is gzip, 28 b5 2f fd is zstd, anything else is read as tar.
/// </summary>
internal static class Decompression
{
    public static Stream Open(Stream input)
    {
        var magic = new byte[4];
        int n = 0;
        while (n < magic.Length)
        {
            int read = input.Read(magic, n, magic.Length - n);
            if (read == 0)
            {
                break;
            }
            n += read;
        }
        Stream whole = new PrefixedStream(magic.AsMemory(0, n), input);
        if (n >= 2 && magic[0] == 0x1f && magic[1] == 0x8b)
        {
            return new GZipStream(whole, CompressionMode.Decompress);
        }
        if (n >= 4 && magic[0] == 0x28 && magic[1] == 0xb5 && magic[2] == 0x2f && magic[3] == 0xfd)
        {
            return new ZstdSharp.DecompressionStream(whole);
        }
        return whole;
    }

    /// <summary>Gives back the sniffed bytes before the rest of the (unseekable) stream.</summary>
    private sealed class PrefixedStream(ReadOnlyMemory<byte> prefix, Stream inner) : Stream
    {
        private ReadOnlyMemory<byte> _prefix = prefix;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            if (_prefix.IsEmpty)
            {
                return inner.Read(buffer);
            }
            int n = Math.Min(buffer.Length, _prefix.Length);
            _prefix.Span[..n].CopyTo(buffer);
            _prefix = _prefix[n..];
            return n;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
