using System.Globalization;
using Berth.Engine.Errors;
using Berth.Engine.Events;

namespace Berth.Engine.Images;

/// <summary>Go's time formats and moby's timetypes.GetTimestamp, as the image endpoints need them.</summary>
public static class GoTime
{
    /// <summary>
    /// time.RFC3339Nano: fraction without trailing zeros (none when zero), "Z" for UTC, else ±hh:mm.
    /// </summary>
    public static string FormatRfc3339Nano(DateTimeOffset time)
    {
        string text = time.ToString("yyyy-MM-ddTHH:mm:ss", CultureInfo.InvariantCulture);
        long ticks = time.Ticks % TimeSpan.TicksPerSecond;
        if (ticks != 0)
        {
            text += "." + (ticks * 100).ToString("D9", CultureInfo.InvariantCulture).TrimEnd('0');
        }
        return text + (time.Offset == TimeSpan.Zero ? "Z" : time.ToString("zzz", CultureInfo.InvariantCulture));
    }

    /// <summary>Unix seconds as Go's Time.Unix (floor), which the list and history endpoints report.</summary>
    public static long UnixSeconds(DateTimeOffset? time) => time?.ToUnixTimeSeconds() ?? 0;

    /// <summary>
    /// moby api/types/time.GetTimestamp + ParseTimestamps for the "until" filters: a Go duration
    /// ("24h", "1h30m", counted back from <paramref name="now"/>), an RFC 3339 date or date-time
    /// (without zone: local time), or unix seconds with an optional fraction.
    /// </summary>
    public static DateTimeOffset ParseTimestamp(string value, DateTimeOffset now)
    {
        if (TryParseGoDuration(value, out var duration))
        {
            return now - duration;
        }
        bool looksLikeDate = value.Contains('-', StringComparison.Ordinal) && !value.StartsWith('-');
        if (looksLikeDate || value.Contains(':', StringComparison.Ordinal))
        {
            string[] formats =
            [
                "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK", "yyyy-MM-dd'T'HH:mm:ssK", "yyyy-MM-dd'T'HH:mmK",
                "yyyy-MM-dd'T'HHK", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFF", "yyyy-MM-dd'T'HH:mm:ss",
                "yyyy-MM-dd'T'HH:mm", "yyyy-MM-dd'T'HH", "yyyy-MM-dd",
            ];
            if (DateTimeOffset.TryParseExact(value, formats, CultureInfo.InvariantCulture, DateTimeStyles.AssumeLocal, out var date))
            {
                return date;
            }
            throw DaemonException.InvalidParameter($"failed to parse value as time or duration: \"{value}\"");
        }
        long nanos = EventTimestamps.ParseNanoseconds(value) ?? 0;
        return DateTimeOffset.UnixEpoch.AddTicks(nanos / 100);
    }

    /// <summary>Go's time.ParseDuration for the units that make sense here (ns … h), sign allowed.</summary>
    public static bool TryParseGoDuration(string text, out TimeSpan duration)
    {
        duration = default;
        var s = text.AsSpan();
        bool negative = false;
        if (s.Length > 0 && (s[0] == '-' || s[0] == '+'))
        {
            negative = s[0] == '-';
            s = s[1..];
        }
        if (s.SequenceEqual("0"))
        {
            return true;
        }
        if (s.IsEmpty)
        {
            return false;
        }
        double totalNanos = 0;
        while (!s.IsEmpty)
        {
            int i = 0;
            while (i < s.Length && (char.IsAsciiDigit(s[i]) || s[i] == '.'))
            {
                i++;
            }
            if (i == 0 || !double.TryParse(s[..i], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out double number))
            {
                return false;
            }
            s = s[i..];
            int u = 0;
            while (u < s.Length && !char.IsAsciiDigit(s[u]) && s[u] != '.')
            {
                u++;
            }
            double unit = s[..u] switch
            {
                "ns" => 1,
                "us" or "µs" or "μs" => 1e3,
                "ms" => 1e6,
                "s" => 1e9,
                "m" => 60e9,
                "h" => 3600e9,
                _ => double.NaN,
            };
            if (double.IsNaN(unit))
            {
                return false;
            }
            totalNanos += number * unit;
            s = s[u..];
        }
        duration = TimeSpan.FromTicks((long)(totalNanos / 100) * (negative ? -1 : 1));
        return true;
    }
}
