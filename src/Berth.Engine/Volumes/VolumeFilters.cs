using Berth.Engine.Errors;
using Berth.Engine.Filters;

namespace Berth.Engine.Volumes;

/// <summary>
/// moby volume/service convert.go filtersToBy + byLabelFilter + withPrune, as predicates over
/// (volume, user count).
/// </summary>
public static class VolumeFilters
{
    private static readonly HashSet<string> ListKeys = ["dangling", "name", "driver", "label"];
    private static readonly HashSet<string> PruneKeys = ["label", "label!", "all"];

    /// <summary>Validates and returns the list predicate.</summary>
    public static Func<VolumeRecord, bool> ForList(FilterArgs filters)
    {
        filters.Validate(ListKeys);
        bool? dangling = filters.Contains("dangling") ? filters.GetBoolOrDefault("dangling", false) : null;
        var drivers = filters.Values("driver");
        return v =>
            (drivers.Count == 0 || drivers.Contains(v.Driver)) &&
            (!filters.Contains("name") || filters.Match("name", v.Name)) &&
            MatchesLabels(filters, v) &&
            (dangling is null || (v.Users.Count == 0) == dangling.Value);
    }

    /// <summary>
    /// Validates and returns the prune predicate: local driver, no users, no driver options (a
    /// mounted filesystem's space is not the daemon's to reclaim), label filters, and the
    /// anonymous label unless all is true.
    /// </summary>
    public static Func<VolumeRecord, bool> ForPrune(FilterArgs filters)
    {
        filters.Validate(PruneKeys);
        bool all = PruneAll(filters);
        return v =>
            v.Driver == LocalVolumeRules.DriverName &&
            v.Users.Count == 0 &&
            (v.Options is null || v.Options.Count == 0) &&
            MatchesLabels(filters, v) &&
            (all || (v.Labels?.ContainsKey(LocalVolumeRules.AnonymousLabel) ?? false));
    }

    /// <summary>withPrune: at most one value, read with Go's strconv.ParseBool.</summary>
    public static bool PruneAll(FilterArgs filters)
    {
        var values = filters.Values("all");
        if (values.Count > 1)
        {
            throw DaemonException.InvalidParameter(Messages.PruneAllTooMany(values));
        }
        if (values.Count == 0)
        {
            return false;
        }
        string value = values.First();
        return value switch
        {
            "1" or "t" or "T" or "TRUE" or "true" or "True" => true,
            "0" or "f" or "F" or "FALSE" or "false" or "False" => false,
            _ => throw DaemonException.InvalidParameter(Messages.PruneAllNotBool(value)),
        };
    }

    private static bool MatchesLabels(FilterArgs filters, VolumeRecord v)
    {
        var labels = v.Labels ?? new Dictionary<string, string>();
        if (!filters.MatchKVList("label", labels))
        {
            return false;
        }
        return !filters.Contains("label!") || !filters.MatchKVList("label!", labels);
    }
}
