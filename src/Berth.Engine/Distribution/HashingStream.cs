using System.Security.Cryptography;
using Berth.Engine.Images;

namespace Berth.Engine.Distribution;

/// <summary>Hashes (sha256) and counts every byte read through it; <see cref="DrainAsync"/> reads the rest.</summary>
public sealed class HashingStream(Stream inner) : Stream
{
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private Digest? _final;

    public long BytesRead { get; private set; }

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => BytesRead; set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        int n = inner.Read(buffer);
        _hash.AppendData(buffer[..n]);
        BytesRead += n;
        return n;
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        int n = await inner.ReadAsync(buffer, cancellationToken);
        _hash.AppendData(buffer.Span[..n]);
        BytesRead += n;
        return n;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    /// <summary>Reads whatever the consumer left (trailing bytes still count for the digest).</summary>
    public async Task DrainAsync(CancellationToken cancellationToken)
    {
        var buffer = new byte[64 * 1024];
        while (await ReadAsync(buffer, cancellationToken) > 0)
        {
        }
    }

    /// <summary>The digest of everything read so far.</summary>
    public Digest Digest() => _final ?? Images.Digest.FromHash(_hash.GetCurrentHash());

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing && _final is null)
        {
            // Whoever sends the stream (StreamContent) disposes it; the digest stays readable.
            _final = Images.Digest.FromHash(_hash.GetCurrentHash());
            inner.Dispose();
            _hash.Dispose();
        }
        base.Dispose(disposing);
    }
}
