using Berth.Engine.Containers;
using Berth.Runtime.Monitor;

namespace Berth.Runtime.Logs;

/// <summary>
/// Parses conmon's k8s-file records ("TIMESTAMP STREAM F|P CONTENT") on the hot path of
/// `docker logs`. conmon stamps every line of one pipe read with the same time, and consecutive
/// lines share their date and second, so the expensive date part is cached and only the
/// nanosecond digits are parsed per line.
/// </summary>
internal sealed class K8sLineParser
{
    private const int DateTimeLength = 19; // 2026-11-27T22:00:52
    private readonly byte[] _cachedKey = new byte[DateTimeLength + 8];
    private int _cachedKeyLength = -1;
    private long _cachedBaseNanos;

    public bool TryParse(ReadOnlySpan<byte> line, out long nanos, out OutputKind stream, out bool partial, out ReadOnlySpan<byte> content)
    {
        nanos = 0;
        stream = OutputKind.Stdout;
        partial = false;
        content = default;
        int sp = line.IndexOf((byte)' ');
        if (sp < DateTimeLength + 1 || !TryTimestamp(line[..sp], out nanos))
        {
            return false;
        }
        ReadOnlySpan<byte> rest = line[(sp + 1)..];
        if (rest.Length < 8 || rest[6] != ' ')
        {
            return false;
        }
        if (rest.StartsWith("stdout"u8))
        {
            stream = OutputKind.Stdout;
        }
        else if (rest.StartsWith("stderr"u8))
        {
            stream = OutputKind.Stderr;
        }
        else
        {
            return false;
        }
        byte tag = rest[7];
        if ((tag != 'F' && tag != 'P') || (rest.Length > 8 && rest[8] != ' '))
        {
            return false;
        }
        partial = tag == 'P';
        content = rest.Length > 9 ? rest[9..] : default;
        return true;
    }

    /// <summary>The tag of a record from its first bytes: 'F', 'P', or 0 when it is not a record.</summary>
    public static byte TagOf(ReadOnlySpan<byte> head) => TagOf(head, out _);

    /// <summary>The tag, and the stream as 'o' (stdout) or 'e' (stderr).</summary>
    public static byte TagOf(ReadOnlySpan<byte> head, out byte stream)
    {
        stream = 0;
        int sp = head.IndexOf((byte)' ');
        if (sp < 0 || head.Length < sp + 9 || head[sp + 7] != ' ')
        {
            return 0;
        }
        stream = head[sp + 4]; // std[o]ut / std[e]rr
        byte tag = head[sp + 8];
        return tag is (byte)'F' or (byte)'P' && (head.Length == sp + 9 || head[sp + 9] == ' ') ? tag : (byte)0;
    }

    private bool TryTimestamp(ReadOnlySpan<byte> ts, out long nanos)
    {
        nanos = 0;
        // Fraction digits (any count, scaled to 9) between the seconds and the zone.
        int i = DateTimeLength;
        long fraction = 0;
        if (i < ts.Length && ts[i] == '.')
        {
            int digits = 0;
            for (i++; i < ts.Length && (uint)(ts[i] - '0') <= 9; i++, digits++)
            {
                if (digits < 9)
                {
                    fraction = (fraction * 10) + (ts[i] - '0');
                }
            }
            for (; digits < 9; digits++)
            {
                fraction *= 10;
            }
        }
        ReadOnlySpan<byte> zone = ts[i..];
        if (zone.Length > 6)
        {
            return false;
        }
        int keyLength = DateTimeLength + zone.Length;
        Span<byte> key = stackalloc byte[DateTimeLength + 6];
        ts[..DateTimeLength].CopyTo(key);
        zone.CopyTo(key[DateTimeLength..]);
        key = key[..keyLength];
        if (keyLength != _cachedKeyLength || !key.SequenceEqual(_cachedKey.AsSpan(0, keyLength)))
        {
            if (!K8sLogRecord.TryParseTimestamp(ts, out long full))
            {
                return false;
            }
            key.CopyTo(_cachedKey);
            _cachedKeyLength = keyLength;
            _cachedBaseNanos = full - fraction;
        }
        nanos = _cachedBaseNanos + fraction;
        return true;
    }
}
