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
}
