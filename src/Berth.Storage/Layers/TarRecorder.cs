using System.Security.Cryptography;
using Berth.Engine.Errors;

namespace Berth.Storage.Layers;

/// <summary>
/// Sits between the decompressor and TarReader and sees every uncompressed byte exactly once:
/// all of them go into the DiffID hash; bytes read while a file's content is being copied are
/// only counted (the file on disk holds them), everything else (headers, PAX and GNU extension
/// blocks, padding, end blocks, trailing bytes) is kept for the tar-split record.
/// The bytes of the current header region stay in <see cref="Region"/> so the raw PAX records
/// can be re-read (.NET decodes PAX values as UTF-8, which mangles binary xattr values).
/// </summary>
internal sealed class TarRecorder(Stream inner, TarSplitWriter split, long maxTotal) : Stream
{
    // A header region (extension blocks + header) larger than this is hostile, not a real archive.
    private const int MaxRegion = 64 * 1024 * 1024;

    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private readonly MemoryStream _region = new();
    private bool _content;
    private long _regionStart;

    /// <summary>Uncompressed bytes consumed so far (the tar offset).</summary>
    public long Consumed { get; private set; }

    /// <summary>Absolute tar offset of <see cref="Region"/>'s first byte.</summary>
    public long RegionStart => _regionStart;

    public ReadOnlySpan<byte> Region => _region.GetBuffer().AsSpan(0, (int)_region.Length);

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => Consumed; set => throw new NotSupportedException(); }

    /// <summary>Raw bytes so far go to the tar-split; a new header region starts here.</summary>
    public void BeginRegion()
    {
        FlushRaw();
        _regionStart = Consumed;
    }

    /// <summary>Bytes read until <see cref="EndContent"/> are file content, referenced by path.</summary>
    public void BeginContent()
    {
        FlushRaw();
        _content = true;
    }

    public void EndContent(string path, long size, long startOffset)
    {
        _content = false;
        if (Consumed - startOffset != size)
        {
            throw DaemonException.InvalidParameter(Messages.TarInvalid("short file content"));
        }
        split.WriteFile(path, size);
        _regionStart = Consumed;
    }

    /// <summary>Reads the rest of the stream (end blocks, trailing bytes) as raw bytes, then the hash.</summary>
    public byte[] DrainAndFinish()
    {
        var buffer = new byte[64 * 1024];
        while (Read(buffer) > 0)
        {
        }
        FlushRaw();
        return _hash.GetHashAndReset();
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        int n = inner.Read(buffer);
        if (n <= 0)
        {
            return 0;
        }
        var got = buffer[..n];
        _hash.AppendData(got);
        Consumed += n;
        if (Consumed > maxTotal)
        {
            throw DaemonException.InvalidParameter(Messages.TarTotalTooLarge(maxTotal));
        }
        if (!_content)
        {
            if (_region.Length + n > MaxRegion)
            {
                // Skipped entry data (whiteouts with content, trailing bytes): stream it out.
                FlushRaw();
                _regionStart = Consumed - n;
            }
            _region.Write(got);
        }
        return n;
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _hash.Dispose();
            _region.Dispose();
        }
        base.Dispose(disposing);
    }

    private void FlushRaw()
    {
        if (_region.Length > 0)
        {
            split.WriteRaw(Region);
            _region.SetLength(0);
        }
        _regionStart = Consumed;
    }
}
