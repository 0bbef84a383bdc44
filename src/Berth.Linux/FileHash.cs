using System.Buffers;
using System.Security.Cryptography;

namespace Berth.Linux;

/// <summary>
/// sha256 of a file in 1 MiB reads. SHA256.HashData(Stream) reads 4 KiB at a time: a syscall per
/// page, which dominated hashing a build context's files.
/// </summary>
public static class FileHash
{
    private const int BlockSize = 1 << 20;

    public static byte[] Sha256(string path)
    {
        using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        byte[] buffer = ArrayPool<byte>.Shared.Rent(BlockSize);
        try
        {
            long offset = 0;
            int read;
            while ((read = RandomAccess.Read(handle, buffer.AsSpan(0, BlockSize), offset)) > 0)
            {
                hash.AppendData(buffer, 0, read);
                offset += read;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
        return hash.GetHashAndReset();
    }
}
