using System.Buffers;
using System.Text;

namespace Berth.Engine.Images.Archive;

/// <summary>
/// Writes a ustar stream straight to the response: a header, then content copied from a stream
/// whose length is known up front, padded to 512 bytes. Hand-rolled because the BCL TarWriter
/// needs a seekable (or buffered) data stream to learn the size, and layers are streamed.
/// </summary>
public sealed class TarStreamWriter(Stream output)
{
    private const int Block = 512;
    private static readonly byte[] Zeros = new byte[Block * 2];

    /// <summary>Bytes written so far (headers, content, padding).</summary>
    public long Position { get; private set; }

    public async Task WriteDirectoryAsync(string name, DateTimeOffset modified, CancellationToken cancellationToken)
    {
        await WriteHeaderAsync(name.EndsWith('/') ? name : name + "/", 0, '5', 0b111_101_101, modified, cancellationToken);
    }

    public async Task WriteFileAsync(string name, ReadOnlyMemory<byte> content, DateTimeOffset modified, CancellationToken cancellationToken)
    {
        await WriteHeaderAsync(name, content.Length, '0', 0b110_100_100, modified, cancellationToken);
        await output.WriteAsync(content, cancellationToken);
        Position += content.Length;
        await PadAsync(content.Length, cancellationToken);
    }

    /// <summary>
    /// Copies exactly <paramref name="size"/> bytes; a source that ends early or runs long fails
    /// (the archive is then cut short, which every reader reports, instead of being silently wrong).
    /// </summary>
    public async Task WriteFileAsync(string name, Stream content, long size, DateTimeOffset modified, CancellationToken cancellationToken)
    {
        await WriteHeaderAsync(name, size, '0', 0b110_100_100, modified, cancellationToken);
        var buffer = ArrayPool<byte>.Shared.Rent(1 << 20);
        try
        {
            long left = size;
            while (left > 0)
            {
                int n = await content.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, left)), cancellationToken);
                if (n == 0)
                {
                    throw new IOException($"{name}: the source ended {left} bytes short of its measured size");
                }
                await output.WriteAsync(buffer.AsMemory(0, n), cancellationToken);
                left -= n;
                Position += n;
            }
            if (await content.ReadAsync(buffer.AsMemory(0, 1), cancellationToken) != 0)
            {
                throw new IOException($"{name}: the source is longer than its measured size");
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
        await PadAsync(size, cancellationToken);
    }

    /// <summary>Two zero blocks end the archive.</summary>
    public async Task FinishAsync(CancellationToken cancellationToken)
    {
        await output.WriteAsync(Zeros, cancellationToken);
        Position += Zeros.Length;
        await output.FlushAsync(cancellationToken);
    }

    private async Task PadAsync(long size, CancellationToken cancellationToken)
    {
        int pad = (int)((Block - (size % Block)) % Block);
        if (pad > 0)
        {
            await output.WriteAsync(Zeros.AsMemory(0, pad), cancellationToken);
            Position += pad;
        }
    }

    private async Task WriteHeaderAsync(string name, long size, char type, int mode, DateTimeOffset modified, CancellationToken cancellationToken)
    {
        var header = BuildHeader(name, size, type, mode, modified.ToUnixTimeSeconds());
        await output.WriteAsync(header, cancellationToken);
        Position += header.Length;
    }

    /// <summary>A ustar header; names are archive-internal and short ("blobs/sha256/&lt;64 hex&gt;").</summary>
    internal static byte[] BuildHeader(string name, long size, char type, int mode, long mtime)
    {
        var nameBytes = Encoding.UTF8.GetBytes(name);
        if (nameBytes.Length > 100)
        {
            throw new ArgumentException($"tar member name too long: {name}", nameof(name));
        }
        var h = new byte[Block];
        nameBytes.CopyTo(h, 0);
        Octal(h.AsSpan(100, 8), mode);
        Octal(h.AsSpan(108, 8), 0);
        Octal(h.AsSpan(116, 8), 0);
        if (size < 8_589_934_592L) // 8^11: what 11 octal digits hold
        {
            Octal(h.AsSpan(124, 12), size);
        }
        else
        {
            // GNU base-256 for sizes of 8 GiB and more.
            h[124] = 0x80;
            for (int i = 0; i < 8; i++)
            {
                h[135 - i] = (byte)(size >> (8 * i));
            }
        }
        Octal(h.AsSpan(136, 12), Math.Max(0, mtime));
        h[156] = (byte)type;
        "ustar\0"u8.CopyTo(h.AsSpan(257));
        "00"u8.CopyTo(h.AsSpan(263));
        // Checksum: computed with the field itself as spaces.
        h.AsSpan(148, 8).Fill((byte)' ');
        int sum = 0;
        foreach (byte b in h)
        {
            sum += b;
        }
        Octal(h.AsSpan(148, 7), sum);
        h[155] = (byte)' ';
        return h;
    }

    /// <summary>Zero-padded octal, NUL-terminated, filling the field.</summary>
    private static void Octal(Span<byte> field, long value)
    {
        string text = Convert.ToString(value, 8).PadLeft(field.Length - 1, '0');
        Encoding.ASCII.GetBytes(text, field);
        field[^1] = 0;
    }
}
