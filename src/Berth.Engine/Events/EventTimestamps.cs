using System.Globalization;
using Berth.Engine.Errors;

namespace Berth.Engine.Events;

/// <summary>
/// The since/until query values of /events as dockerd reads them (moby api/types/time
/// ParseTimestamps): "seconds" or "seconds.fraction", each part a Go ParseInt (optional sign,
/// decimal digits). The CLI turns durations and RFC 3339 dates into this form before sending, so
/// the server accepts nothing else. Fractions shorter than 9 digits are scaled up, longer ones
/// truncated.
/// </summary>
public static class EventTimestamps
{
    private const long NanosPerSecond = 1_000_000_000;

    /// <summary>Nanoseconds since the epoch, or null when the value is absent or empty.</summary>
    /// <exception cref="DaemonException">InvalidParameter with strconv's text for malformed values.</exception>
    public static long? ParseNanoseconds(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return null;
        }
        int dot = value.IndexOf('.', StringComparison.Ordinal);
        string secondsText = dot < 0 ? value : value[..dot];
        long seconds = ParseGoInt(secondsText);
        if (dot < 0)
        {
            return ToNanos(seconds, 0);
        }
        string fractionText = value[(dot + 1)..];
        long fraction = ParseGoInt(fractionText);
        int digits = fractionText.Length;
        long nanos;
        if (digits <= 9)
        {
            nanos = fraction * Pow10(9 - digits);
        }
        else
        {
            // Go scales with a float multiply and truncates; dividing truncates the same way.
            nanos = digits - 9 >= 19 ? 0 : fraction / Pow10(digits - 9);
        }
        return ToNanos(seconds, nanos);
    }

    /// <summary>time.Unix(sec, nsec).UnixNano(), saturating instead of wrapping far outside 1678..2262.</summary>
    private static long ToNanos(long seconds, long nanos)
    {
        Int128 total = ((Int128)seconds * NanosPerSecond) + nanos;
        if (total > long.MaxValue)
        {
            return long.MaxValue;
        }
        if (total < long.MinValue)
        {
            return long.MinValue;
        }
        return (long)total;
    }

    /// <summary>strconv.ParseInt(s, 10, 64): optional sign, then one or more ASCII digits.</summary>
    private static long ParseGoInt(string text)
    {
        var digits = text.AsSpan();
        if (digits.Length > 0 && (digits[0] == '+' || digits[0] == '-'))
        {
            digits = digits[1..];
        }
        if (digits.IsEmpty)
        {
            throw DaemonException.InvalidParameter(Messages.TimestampSyntax(text));
        }
        foreach (char c in digits)
        {
            if (c is < '0' or > '9')
            {
                throw DaemonException.InvalidParameter(Messages.TimestampSyntax(text));
            }
        }
        if (!long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long result))
        {
            throw DaemonException.InvalidParameter(Messages.TimestampRange(text));
        }
        return result;
    }

    private static long Pow10(int exponent)
    {
        long result = 1;
        for (int i = 0; i < exponent; i++)
        {
            result *= 10;
        }
        return result;
    }
}
