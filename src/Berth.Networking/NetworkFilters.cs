using System.Globalization;
using Berth.Engine.Errors;
using Berth.Engine.Filters;
using Berth.Engine.Networks;

namespace Berth.Networking;

/// <summary>The filters of GET /networks and POST /networks/prune (moby daemon/network/filter.go, prune).</summary>
public static class NetworkFilters
{
    private static readonly HashSet<string> ListKeys = ["dangling", "driver", "id", "label", "name", "scope", "type"];
    private static readonly HashSet<string> PruneKeys = ["until", "label", "label!"];

    public static IReadOnlyList<NetworkRecord> ApplyList(IEnumerable<NetworkRecord> networks, FilterArgs filters, Func<NetworkRecord, bool> hasEndpoints)
    {
        filters.Validate(ListKeys);
        foreach (var type in filters.Values("type"))
        {
            if (type is not ("custom" or "builtin"))
            {
                throw DaemonException.InvalidParameter($"invalid filter: 'type'='{type}'");
            }
        }
        bool? dangling = filters.Contains("dangling") ? filters.GetBoolOrDefault("dangling", false) : null;
        return networks.Where(n =>
                filters.ExactMatch("driver", n.Driver) &&
                filters.Match("name", n.Name) &&
                filters.FuzzyMatch("id", n.Id) &&
                filters.MatchKVList("label", n.Labels) &&
                filters.ExactMatch("scope", "local") &&
                (!filters.Contains("type") || filters.Values("type").Contains(n.Predefined ? "builtin" : "custom")) &&
                // dangling=true: custom networks nobody uses; dangling=false: the rest.
                (dangling is null || dangling == (!n.Predefined && !hasEndpoints(n))))
            .ToList();
    }

    /// <summary>Prune candidates: custom, unused, created before until, label/label! matching.</summary>
    public static IReadOnlyList<NetworkRecord> ApplyPrune(IEnumerable<NetworkRecord> networks, FilterArgs filters, Func<NetworkRecord, bool> hasEndpoints, DateTimeOffset now)
    {
        filters.Validate(PruneKeys);
        DateTimeOffset? until = null;
        var untilValues = filters.Values("until");
        if (untilValues.Count > 1)
        {
            throw DaemonException.InvalidParameter("more than one until filter specified");
        }
        if (untilValues.Count == 1)
        {
            until = ParseTimestamp(untilValues.First(), now);
        }
        return networks.Where(n => !n.Predefined && !hasEndpoints(n) &&
                (until is null || n.Created < until) &&
                (!filters.Contains("label") || filters.MatchKVList("label", n.Labels)) &&
                (!filters.Contains("label!") || !MatchesAny(filters, "label!", n.Labels)))
            .ToList();
    }

    /// <summary>label!=a or label!=a=b: excluded when any of the values matches.</summary>
    private static bool MatchesAny(FilterArgs filters, string key, IReadOnlyDictionary<string, string> labels) =>
        filters.Values(key).Any(v => new FilterArgs().Add(key, v).MatchKVList(key, labels));

    /// <summary>
    /// moby api/types/time GetTimestamp, the forms the CLI passes through for prune: a Go
    /// duration ("24h", "1h30m", "10s") counted back from now, an RFC 3339 / date, or unix seconds.
    /// </summary>
    public static DateTimeOffset ParseTimestamp(string value, DateTimeOffset now)
    {
        if (TryParseGoDuration(value, out var duration))
        {
            return now - duration;
        }
        if (decimal.TryParse(value, NumberStyles.AllowDecimalPoint | NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out decimal seconds))
        {
            return DateTimeOffset.UnixEpoch.AddTicks((long)(seconds * TimeSpan.TicksPerSecond));
        }
        if (DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeLocal, out var date))
        {
            return date;
        }
        throw DaemonException.InvalidParameter($"failed to parse value as time or duration: \"{value}\"");
    }

    private static bool TryParseGoDuration(string text, out TimeSpan duration)
    {
        duration = TimeSpan.Zero;
        int i = 0;
        bool negative = text.StartsWith('-');
        if (negative || text.StartsWith('+'))
        {
            i++;
        }
        if (i >= text.Length)
        {
            return false;
        }
        while (i < text.Length)
        {
            int start = i;
            while (i < text.Length && (char.IsAsciiDigit(text[i]) || text[i] == '.'))
            {
                i++;
            }
            if (start == i || !double.TryParse(text.AsSpan(start, i - start), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out double number))
            {
                return false;
            }
            int unitStart = i;
            while (i < text.Length && char.IsAsciiLetter(text[i]) || i < text.Length && text[i] == 'µ')
            {
                i++;
            }
            double ticks = text[unitStart..i] switch
            {
                "h" => TimeSpan.TicksPerHour,
                "m" => TimeSpan.TicksPerMinute,
                "s" => TimeSpan.TicksPerSecond,
                "ms" => TimeSpan.TicksPerMillisecond,
                "us" or "µs" => 10,
                "ns" => 0.01,
                _ => -1,
            };
            if (ticks < 0)
            {
                return false;
            }
            duration += TimeSpan.FromTicks((long)(number * ticks));
        }
        if (negative)
        {
            duration = -duration;
        }
        return true;
    }
}
