using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Berth.Daemon.Configuration;

/// <summary>
/// Go-compatible renderings of JSON values. dockerd prints file values with fmt's %v after
/// decoding into interface{} and marshals event attributes with encoding/json; matching both
/// keeps messages and event payloads byte-identical for tools that parse them.
/// </summary>
internal static class GoJson
{
    public static string KindName(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.Object => "object",
        JsonValueKind.Array => "array",
        JsonValueKind.String => "string",
        JsonValueKind.Number => "number",
        JsonValueKind.True or JsonValueKind.False => "bool",
        _ => "null",
    };

    /// <summary>fmt.Sprint of the value json.Unmarshal gives for interface{}.</summary>
    public static string Format(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.String => e.GetString()!,
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        JsonValueKind.Number => FormatFloat(e.GetDouble()),
        JsonValueKind.Array => "[" + string.Join(' ', e.EnumerateArray().Select(Format)) + "]",
        // Go prints maps with sorted keys.
        JsonValueKind.Object => "map[" + string.Join(' ', e.EnumerateObject()
            .GroupBy(p => p.Name).Select(g => g.Last())
            .OrderBy(p => p.Name, StringComparer.Ordinal)
            .Select(p => p.Name + ":" + Format(p.Value))) + "]",
        _ => "<nil>",
    };

    /// <summary>Go's %v for float64: shortest digits, exponent form when exp &lt; -4 or exp &gt;= 6.</summary>
    internal static string FormatFloat(double v)
    {
        // %v is strconv 'g' with shortest precision; Go then switches to %e at exponent 6 (1e6 prints "1e+06").
        string r = v.ToString("R", CultureInfo.InvariantCulture);
        int ePos = r.IndexOfAny(['E', 'e']);
        string mantissa = ePos < 0 ? r : r[..ePos];
        int exp10 = ePos < 0 ? 0 : int.Parse(r[(ePos + 1)..], CultureInfo.InvariantCulture);
        bool negative = mantissa.StartsWith('-');
        mantissa = mantissa.TrimStart('-');
        int dot = mantissa.IndexOf('.', StringComparison.Ordinal);
        string digits = mantissa.Replace(".", "", StringComparison.Ordinal);
        int pointPos = (dot < 0 ? mantissa.Length : dot) + exp10;
        int lead = digits.Length - digits.TrimStart('0').Length;
        digits = digits.Trim('0');
        if (digits.Length == 0)
        {
            return negative ? "-0" : "0";
        }
        pointPos -= lead;
        int exp = pointPos - 1;
        var sb = new StringBuilder(negative ? "-" : "");
        if (exp < -4 || exp >= 6)
        {
            sb.Append(digits[0]);
            if (digits.Length > 1)
            {
                sb.Append('.').Append(digits, 1, digits.Length - 1);
            }
            sb.Append(exp < 0 ? "e-" : "e+").Append(Math.Abs(exp).ToString("00", CultureInfo.InvariantCulture));
        }
        else if (pointPos <= 0)
        {
            sb.Append("0.").Append('0', -pointPos).Append(digits);
        }
        else if (pointPos >= digits.Length)
        {
            sb.Append(digits).Append('0', pointPos - digits.Length);
        }
        else
        {
            sb.Append(digits, 0, pointPos).Append('.').Append(digits, pointPos, digits.Length - pointPos);
        }
        return sb.ToString();
    }

    /// <summary>encoding/json's Marshal of []string: HTML-safe escapes (&lt; &gt; &amp;), UTF-8 kept.</summary>
    public static string MarshalStrings(IEnumerable<string> values)
    {
        var sb = new StringBuilder("[");
        bool first = true;
        foreach (string s in values)
        {
            if (!first)
            {
                sb.Append(',');
            }
            first = false;
            sb.Append('"');
            foreach (char c in s)
            {
                switch (c)
                {
                    case '"': sb.Append("\\\""); break;
                    case '\\': sb.Append("\\\\"); break;
                    case '\n': sb.Append("\\n"); break;
                    case '\r': sb.Append("\\r"); break;
                    case '\t': sb.Append("\\t"); break;
                    case '<' or '>' or '&' or '\u2028' or '\u2029' or < ' ':
                        sb.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                        break;
                    default: sb.Append(c); break;
                }
            }
            sb.Append('"');
        }
        return sb.Append(']').ToString();
    }
}
