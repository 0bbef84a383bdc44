using System.IO.Compression;
using System.Text;
using Berth.Linux;
using Microsoft.Win32.SafeHandles;

namespace Berth.Storage.Layers;

/// <summary>
/// The record that rebuilds a layer's tar byte for byte (the role of vbatts/tar-split in dockerd):
/// a gzip'd sequence of raw segments (everything that is not file content) and file references
/// (path in the diff + size). The format is Berth's own:
/// "BTS1", then records: 1 varint(len) bytes | 2 varint(size) varint(len) utf8-path | 0 (end).
/// </summary>
internal sealed class TarSplitWriter : IDisposable
{
    public const byte Raw = 1, File = 2, End = 0;
    private static readonly byte[] Magic = "BTS1"u8.ToArray();

    private readonly FileStream _file;
    private readonly GZipStream _gzip;
    private readonly BufferedStream _out;

    public TarSplitWriter(string path)
    {
        _file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 0);
        _gzip = new GZipStream(_file, CompressionLevel.Fastest, leaveOpen: true);
        _out = new BufferedStream(_gzip, 256 * 1024);
        _out.Write(Magic);
    }

    /// <summary>How many file records so far; the next one gets this index (its shadow name).</summary>
    public int FileCount { get; private set; }

    public void WriteRaw(ReadOnlySpan<byte> bytes)
    {
        _out.WriteByte(Raw);
        WriteVarint(bytes.Length);
        _out.Write(bytes);
    }

    public void WriteFile(string path, long size)
    {
        var name = Encoding.UTF8.GetBytes(path);
        _out.WriteByte(File);
        WriteVarint(size);
        WriteVarint(name.Length);
        _out.Write(name);
        FileCount++;
    }

    /// <summary>Ends the record and (when <paramref name="durable"/>) makes it durable.</summary>
    public void Complete(bool durable = true)
    {
        _out.WriteByte(End);
        _out.Flush();
        _gzip.Flush();
        _gzip.Dispose();
        _file.Flush(flushToDisk: durable);
    }

    public void Dispose()
    {
        _out.Dispose();
        _gzip.Dispose();
        _file.Dispose();
    }

    private void WriteVarint(long value)
    {
        var v = (ulong)value;
        while (v >= 0x80)
        {
            _out.WriteByte((byte)(v | 0x80));
            v >>= 7;
        }
        _out.WriteByte((byte)v);
    }
}

/// <summary>
/// Replays a tar-split record as a stream: raw segments straight from the record, file contents
/// read from the diff directory (confined: openat2 in the diff root), nothing buffered whole.
/// A file replaced later in the same tar was moved to shadow/&lt;index&gt;, which wins when present.
/// </summary>
internal sealed class TarSplitReader : Stream
{
    private readonly GZipStream _record;
    private readonly BufferedStream _in;
    private readonly int _diffFd;
    private readonly string? _shadowDir;
    private long _rawLeft;
    private SafeFileHandle? _file;
    private long _fileOffset;
    private long _fileLeft;
    private int _fileIndex;
    private bool _ended;

    public TarSplitReader(string recordPath, string diffDir, string shadowDir)
    {
        _diffFd = FileSys.OpenDirectory(diffDir);
        _shadowDir = Directory.Exists(shadowDir) ? shadowDir : null;
        _record = new GZipStream(new FileStream(recordPath, FileMode.Open, FileAccess.Read, FileShare.Read, 0), CompressionMode.Decompress);
        _in = new BufferedStream(_record, 256 * 1024);
        Span<byte> magic = stackalloc byte[4];
        _in.ReadExactly(magic);
        if (!magic.SequenceEqual("BTS1"u8))
        {
            throw new InvalidDataException($"{recordPath}: not a tar-split record");
        }
    }

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        while (buffer.Length > 0)
        {
            if (_rawLeft > 0)
            {
                int n = _in.Read(buffer[..(int)Math.Min(buffer.Length, _rawLeft)]);
                if (n == 0)
                {
                    throw new InvalidDataException("tar-split record is truncated");
                }
                _rawLeft -= n;
                return n;
            }
            if (_fileLeft > 0)
            {
                int n = RandomAccess.Read(_file!, buffer[..(int)Math.Min(buffer.Length, _fileLeft)], _fileOffset);
                if (n == 0)
                {
                    throw new IOException("a layer file is shorter than when the layer was applied");
                }
                _fileOffset += n;
                _fileLeft -= n;
                return n;
            }
            if (_ended || !NextRecord())
            {
                return 0;
            }
        }
        return 0;
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
            _file?.Dispose();
            _in.Dispose();
            _record.Dispose();
            FileSys.Close(_diffFd);
        }
        base.Dispose(disposing);
    }

    private bool NextRecord()
    {
        _file?.Dispose();
        _file = null;
        int kind = _in.ReadByte();
        switch (kind)
        {
            case TarSplitWriter.Raw:
                _rawLeft = ReadVarint();
                return true;
            case TarSplitWriter.File:
                long size = ReadVarint();
                var name = new byte[ReadVarint()];
                _in.ReadExactly(name);
                OpenContent(Encoding.UTF8.GetString(name), _fileIndex++);
                _fileLeft = size;
                _fileOffset = 0;
                return true;
            case TarSplitWriter.End:
                _ended = true;
                return false;
            default:
                throw new InvalidDataException("tar-split record is corrupt or truncated");
        }
    }

    private void OpenContent(string path, int index)
    {
        var shadow = _shadowDir is null ? null : Path.Combine(_shadowDir, index.ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (shadow is not null && System.IO.File.Exists(shadow))
        {
            _file = System.IO.File.OpenHandle(shadow);
            return;
        }
        int fd = FileSys.OpenInRoot(_diffFd, path, FileSys.ORdonly | FileSys.ONofollow);
        _file = new SafeFileHandle(fd, ownsHandle: true);
    }

    private long ReadVarint()
    {
        long value = 0;
        for (int shift = 0; shift < 64; shift += 7)
        {
            int b = _in.ReadByte();
            if (b < 0)
            {
                throw new InvalidDataException("tar-split record is truncated");
            }
            value |= (long)(b & 0x7f) << shift;
            if (b < 0x80)
            {
                return value;
            }
        }
        throw new InvalidDataException("tar-split record is corrupt");
    }
}
