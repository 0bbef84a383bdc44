namespace Berth.Engine.Errors;

public static partial class Messages
{
    /// <summary>filters.FromJSON: the value is neither the map form nor the legacy array form.</summary>
    public const string InvalidFilter = "invalid filter";

    /// <summary>filters.Args.Validate: a key the endpoint does not support.</summary>
    public static string InvalidFilterKey(string key) => $"invalid filter '{key}'";

    /// <summary>filters invalidFilter with values, formatted like Go's %s of a []string: "[a b]".</summary>
    public static string InvalidFilterValue(string key, IEnumerable<string> values) =>
        $"invalid filter '{key}=[{string.Join(' ', values)}]'";

    /// <summary>strconv.ParseInt's syntax error, which is what dockerd reports for a bad since/until.</summary>
    public static string TimestampSyntax(string text) => $"strconv.ParseInt: parsing {GoQuote(text)}: invalid syntax";

    /// <summary>strconv.ParseInt's range error.</summary>
    public static string TimestampRange(string text) => $"strconv.ParseInt: parsing {GoQuote(text)}: value out of range";

    public static string EventsSinceAfterUntil(string since, string until) =>
        $"`since` time ({since}) cannot be after `until` time ({until})";

    public const string EventSubscriberTooSlow = "event subscriber could not keep up and was dropped";

    /// <summary>Enough of Go's %q for client-supplied text: quotes, backslashes and control characters escaped.</summary>
    private static string GoQuote(string text)
    {
        var sb = new System.Text.StringBuilder(text.Length + 2);
        sb.Append('"');
        foreach (char c in text)
        {
            switch (c)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                default:
                    if (c < 0x20 || c == 0x7f)
                    {
                        sb.Append(System.Globalization.CultureInfo.InvariantCulture, $"\\x{(int)c:x2}");
                    }
                    else
                    {
                        sb.Append(c);
                    }
                    break;
            }
        }
        sb.Append('"');
        return sb.ToString();
    }
}
