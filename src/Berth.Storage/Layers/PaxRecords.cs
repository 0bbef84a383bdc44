using System.Text;

namespace Berth.Storage.Layers;

/// <summary>
/// Re-reads the PAX extended header(s) of one entry from the raw header bytes. .NET's TarReader
/// hands PAX values out as UTF-8-decoded strings, which corrupts binary xattr values such as
/// security.capability; these bytes are exactly what the archive holds.
/// </summary>
internal static class PaxRecords
{
    public const string XattrPrefix = "SCHILY.xattr.";

    /// <summary>
    /// Walks the extension blocks from <paramref name="firstHeader"/> (tar offset) to the entry's
    /// own header, which ends at <paramref name="headerEnd"/>. Null when the walk does not land
    /// exactly on that header (then the caller falls back to the decoded strings).
    /// </summary>
    public static List<KeyValuePair<string, byte[]>>? Xattrs(ReadOnlySpan<byte> region, long regionStart, long firstHeader, long headerEnd)
    {
        var result = new List<KeyValuePair<string, byte[]>>();
        long pos = firstHeader;
        if (pos < regionStart)
        {
            return null;
        }
        while (pos < headerEnd - 512)
        {
            var block = region.Slice((int)(pos - regionStart), 512);
            byte type = block[156];
            long size = ParseSize(block.Slice(124, 12));
            if (size < 0 || pos + 512 + size > headerEnd - 512)
            {
                return null;
            }
            if (type == (byte)'x')
            {
                if (!ParseRecords(region.Slice((int)(pos + 512 - regionStart), (int)size), result))
                {
                    return null;
                }
            }
            else if (type is not ((byte)'L' or (byte)'K'))
            {
                return null;
            }
            pos += 512 + ((size + 511) & ~511L);
        }
        return pos == headerEnd - 512 ? result : null;
    }

    private static bool ParseRecords(ReadOnlySpan<byte> data, List<KeyValuePair<string, byte[]>> xattrs)
    {
        // "%d %s=%s\n", the length counting the whole record; later records override earlier ones.
        while (data.Length > 0)
        {
            int space = data.IndexOf((byte)' ');
            if (space <= 0 || !int.TryParse(Encoding.ASCII.GetString(data[..space]), out int length) || length <= space || length > data.Length)
            {
                return false;
            }
            var record = data[(space + 1)..length];
            if (record.Length == 0 || record[^1] != (byte)'\n')
            {
                return false;
            }
            int eq = record.IndexOf((byte)'=');
            if (eq < 0)
            {
                return false;
            }
            var key = Encoding.UTF8.GetString(record[..eq]);
            if (key.StartsWith(XattrPrefix, StringComparison.Ordinal))
            {
                var name = key[XattrPrefix.Length..];
                xattrs.RemoveAll(kv => kv.Key == name);
                xattrs.Add(new(name, record[(eq + 1)..^1].ToArray()));
            }
            data = data[length..];
        }
        return true;
    }

    /// <summary>Octal (NUL/space padded) or GNU base-256 size field; -1 when unreadable.</summary>
    private static long ParseSize(ReadOnlySpan<byte> field)
    {
        if ((field[0] & 0x80) != 0)
        {
            long v = field[0] & 0x7f;
            foreach (byte b in field[1..])
            {
                if (v > (long.MaxValue >> 8))
                {
                    return -1;
                }
                v = (v << 8) | b;
            }
            return v;
        }
        long value = 0;
        foreach (byte b in field)
        {
            if (b is 0 or (byte)' ')
            {
                if (value > 0)
                {
                    break;
                }
                continue;
            }
            if (b is < (byte)'0' or > (byte)'7' || value > (long.MaxValue >> 3))
            {
                return -1;
            }
            value = (value << 3) | (uint)(b - '0');
        }
        return value;
    }
}
