using Berth.Engine.Images;

namespace Berth.Storage.Layers;

/// <summary>
/// Layer blobs come plain, gzip'd or zstd'd; the media type is not trusted (dockerd sniffs too),
/// so the first bytes decide. Anything that is neither gzip nor zstd is read as tar (and fails
/// there if it is not one).
/// </summary>
internal static class Decompression
{
    public static Stream Open(Stream input) => Decompressor.Open(input, out _);
}
