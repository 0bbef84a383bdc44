using Berth.Engine.Errors;

namespace Berth.Engine.Images.Archive;

/// <summary>
/// dockerd's DecompressStream for a whole image archive: gzip, zstd or plain tar. bzip2 and xz
/// are recognised only to refuse them with a clear message.
/// </summary>
public static class ArchiveDecompression
{
    public static async Task<Stream> OpenAsync(Stream input, CancellationToken cancellationToken)
    {
        var (stream, kind) = await Decompressor.OpenAsync(input, cancellationToken);
        return kind switch
        {
            CompressionKind.Bzip2 => throw DaemonException.InvalidParameter("invalid archive: bzip2-compressed archives are not supported; decompress it first"),
            CompressionKind.Xz => throw DaemonException.InvalidParameter("invalid archive: xz-compressed archives are not supported; decompress it first"),
            _ => stream,
        };
    }
}
