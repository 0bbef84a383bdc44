using System.Buffers;
using System.Buffers.Text;

namespace Berth.Runtime.Monitor;

/// <summary>
/// One line of conmon's k8s-file log: "TIMESTAMP STREAM F|P CONTENT" with an RFC 3339 timestamp
/// (9 fraction digits, numeric offset). Parsed from bytes without allocating.
/// </summary>
public readonly ref struct K8sLogRecord
{
    public K8sLogRecord(long timestampNanos, DockerStreamId stream, bool partial, ReadOnlySpan<byte> content)
    {
        TimestampNanos = timestampNanos;
        Stream = stream;
        Partial = partial;
        Content = content;
    }

    /// <summary>Nanoseconds since the Unix epoch, UTC.</summary>
    public long TimestampNanos { get; }

    public DockerStreamId Stream { get; }

    /// <summary>P: a chunk without its newline yet; the reader joins chunks until an F record.</summary>
    public bool Partial { get; }

    public ReadOnlySpan<byte> Content { get; }

    /// <summary>Parses one line (without its trailing '\n').</summary>
    public static bool TryParse(ReadOnlySpan<byte> line, out K8sLogRecord record)
    {
        record = default;
        int sp1 = line.IndexOf((byte)' ');
        if (sp1 < 0 || !TryParseTimestamp(line[..sp1], out long nanos))
        {
            return false;
        }
        ReadOnlySpan<byte> rest = line[(sp1 + 1)..];
        DockerStreamId stream;
        if (rest.StartsWith("stdout "u8))
        {
            stream = DockerStreamId.Stdout;
        }
        else if (rest.StartsWith("stderr "u8))
        {
            stream = DockerStreamId.Stderr;
        }
        else
        {
            return false;
        }
        rest = rest[7..];
        if (rest.Length < 1 || (rest[0] != 'F' && rest[0] != 'P') || (rest.Length > 1 && rest[1] != ' '))
        {
            return false;
        }
        record = new K8sLogRecord(nanos, stream, rest[0] == 'P', rest.Length > 2 ? rest[2..] : default);
        return true;
    }

    /// <summary>RFC 3339 ("2026-11-27T22:00:52.845402760+00:00" or "...Z") → Unix nanoseconds, keeping all 9 digits.</summary>
    public static bool TryParseTimestamp(ReadOnlySpan<byte> s, out long nanos)
    {
        nanos = 0;
        if (s.Length < 20 || s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != ' ') || s[13] != ':' || s[16] != ':')
        {
            return false;
        }
        if (!Num(s[..4], out int year) || !Num(s.Slice(5, 2), out int month) || !Num(s.Slice(8, 2), out int day)
            || !Num(s.Slice(11, 2), out int hour) || !Num(s.Slice(14, 2), out int minute) || !Num(s.Slice(17, 2), out int second)
            || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month) || hour > 23 || minute > 59 || second > 60)
        {
            return false;
        }
        int i = 19;
        long fraction = 0;
        if (i < s.Length && s[i] == '.')
        {
            int digits = 0;
            for (i++; i < s.Length && s[i] >= '0' && s[i] <= '9'; i++, digits++)
            {
                if (digits < 9)
                {
                    fraction = (fraction * 10) + (s[i] - '0');
                }
            }
            for (; digits < 9; digits++)
            {
                fraction *= 10;
            }
        }
        long offsetSeconds;
        if (i == s.Length - 1 && (s[i] == 'Z' || s[i] == 'z'))
        {
            offsetSeconds = 0;
        }
        else if (i == s.Length - 6 && (s[i] == '+' || s[i] == '-') && s[i + 3] == ':'
            && Num(s.Slice(i + 1, 2), out int oh) && Num(s.Slice(i + 4, 2), out int om))
        {
            offsetSeconds = ((oh * 3600) + (om * 60)) * (s[i] == '-' ? -1 : 1);
        }
        else
        {
            return false;
        }
        long seconds = (new DateTime(year, month, day, hour, minute, Math.Min(second, 59), DateTimeKind.Utc) - DateTime.UnixEpoch).Ticks
            / TimeSpan.TicksPerSecond;
        nanos = ((seconds - offsetSeconds) * 1_000_000_000L) + fraction;
        return true;
    }

    /// <summary>Docker's RFC3339NanoFixed in UTC: "2006-01-02T15:04:05.000000000Z".</summary>
    public static int FormatTimestamp(long nanos, Span<byte> destination)
    {
        long seconds = Math.DivRem(nanos, 1_000_000_000L, out long fraction);
        if (fraction < 0)
        {
            seconds--;
            fraction += 1_000_000_000L;
        }
        DateTime t = DateTime.UnixEpoch.AddSeconds(seconds);
        _ = Utf8Formatter.TryFormat(t, destination, out int n, new StandardFormat('O')); // yyyy-MM-ddTHH:mm:ss.fffffffZ
        // 'O' gives 7 fraction digits; rewrite them as 9 from the exact nanoseconds.
        const int FractionStart = 20;
        for (int d = 8; d >= 0; d--)
        {
            destination[FractionStart + d] = (byte)('0' + (fraction % 10));
            fraction /= 10;
        }
        destination[FractionStart + 9] = (byte)'Z';
        _ = n;
        return FractionStart + 10;
    }

    private static bool Num(ReadOnlySpan<byte> s, out int value) =>
        Utf8Parser.TryParse(s, out value, out int consumed) && consumed == s.Length && value >= 0;
}
