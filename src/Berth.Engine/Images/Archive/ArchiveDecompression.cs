using System.IO.Compression;
using Berth.Engine.Errors;

namespace Berth.Engine.Images.Archive;

/// <summary>
/// dockerd's DecompressStream for a whole image archive: the first bytes say gzip, zstd, or
/// plain tar. bzip2 and xz are recognised only to refuse them with a clear message.
/// </summary>
public static class ArchiveDecompression
{
    public static async Task<Stream> OpenAsync(Stream input, CancellationToken cancellationToken)
    {
        var head = new byte[6];
        int n = 0;
        while (n < head.Length)
        {
            int read = await input.ReadAsync(head.AsMemory(n), cancellationToken);
            if (read == 0)
            {
                break;
            }
            n += read;
        }
        Stream whole = new PrefixedStream(head.AsMemory(0, n), input);
        if (n >= 2 && head[0] == 0x1f && head[1] == 0x8b)
        {
            return new GZipStream(whole, CompressionMode.Decompress);
        }
        if (n >= 4 && head[0] == 0x28 && head[1] == 0xb5 && head[2] == 0x2f && head[3] == 0xfd)
        {
            return new ZstdSharp.DecompressionStream(whole);
        }
        if (n >= 3 && head[0] == (byte)'B' && head[1] == (byte)'Z' && head[2] == (byte)'h')
        {
            throw DaemonException.InvalidParameter("invalid archive: bzip2-compressed archives are not supported; decompress it first");
        }
        if (n >= 6 && head[0] == 0xfd && head[1] == (byte)'7' && head[2] == (byte)'z' && head[3] == (byte)'X' && head[4] == (byte)'Z' && head[5] == 0)
        {
            throw DaemonException.InvalidParameter("invalid archive: xz-compressed archives are not supported; decompress it first");
        }
        return whole;
    }

    /// <summary>Replays the sniffed bytes, then reads on from the source.</summary>
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
            if (_prefix.Length > 0)
            {
                int n = Math.Min(buffer.Length, _prefix.Length);
                _prefix.Span[..n].CopyTo(buffer);
                _prefix = _prefix[n..];
                return n;
            }
            return inner.Read(buffer);
        }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (_prefix.Length > 0)
            {
                return Read(buffer.Span);
            }
            return await inner.ReadAsync(buffer, cancellationToken);
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
