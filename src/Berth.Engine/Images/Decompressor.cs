using System.IO.Compression;

namespace Berth.Engine.Images;

/// <summary>What the first bytes of a blob or archive say it is.</summary>
public enum CompressionKind
{
    None,
    Gzip,
    Zstd,
    Bzip2,
    Xz,
}

/// <summary>
/// Opens a possibly compressed, unseekable stream the way dockerd's DecompressStream does: media
/// types are not trusted, the magic bytes decide. gzip and zstd are decompressed while reading;
/// bzip2 and xz are only recognised (callers refuse them with their own message); anything else
/// is returned as is, with the sniffed bytes given back first.
/// </summary>
public static class Decompressor
{
    private const int MagicLength = 6;

    public static Stream Open(Stream input, out CompressionKind kind)
    {
        var head = new byte[MagicLength];
        int n = 0;
        while (n < head.Length)
        {
            int read = input.Read(head, n, head.Length - n);
            if (read == 0)
            {
                break;
            }
            n += read;
        }
        kind = Detect(head.AsSpan(0, n));
        return Wrap(new PrefixedStream(head.AsMemory(0, n), input), kind);
    }

    public static async Task<(Stream Stream, CompressionKind Kind)> OpenAsync(Stream input, CancellationToken cancellationToken)
    {
        var head = new byte[MagicLength];
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
        var kind = Detect(head.AsSpan(0, n));
        return (Wrap(new PrefixedStream(head.AsMemory(0, n), input), kind), kind);
    }

    public static CompressionKind Detect(ReadOnlySpan<byte> head) => head switch
    {
        [0x1f, 0x8b, ..] => CompressionKind.Gzip,
        [0x28, 0xb5, 0x2f, 0xfd, ..] => CompressionKind.Zstd,
        [(byte)'B', (byte)'Z', (byte)'h', ..] => CompressionKind.Bzip2,
        [0xfd, (byte)'7', (byte)'z', (byte)'X', (byte)'Z', 0, ..] => CompressionKind.Xz,
        _ => CompressionKind.None,
    };

    private static Stream Wrap(Stream whole, CompressionKind kind) => kind switch
    {
        CompressionKind.Gzip => new GZipStream(whole, CompressionMode.Decompress),
        CompressionKind.Zstd => new ZstdSharp.DecompressionStream(whole),
        _ => whole,
    };

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

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            _prefix.IsEmpty ? inner.ReadAsync(buffer, cancellationToken) : ValueTask.FromResult(Read(buffer.Span));

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
