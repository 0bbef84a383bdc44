using System.Text.Json;
using System.Text.RegularExpressions;
using Berth.Engine.Errors;

namespace Berth.Engine.Filters;

/// <summary>
/// The Engine API <c>filters</c> query parameter: a map from key to a set of values, with the
/// matching helpers of moby's api/types/filters.Args. Semantics follow moby on purpose (an absent
/// or empty key matches everything; a value stored as <c>false</c> in the map form exists for
/// <see cref="Contains"/>/<see cref="Values"/> but never exact-matches) because clients rely on them.
/// </summary>
public sealed class FilterArgs
{
    private readonly Dictionary<string, Dictionary<string, bool>> _fields = new(StringComparer.Ordinal);

    /// <summary>Number of keys.</summary>
    public int Count => _fields.Count;

    public IEnumerable<string> Keys => _fields.Keys;

    /// <summary>
    /// Parses the query value. Empty or absent means no filters. The current form is
    /// <c>{"key":{"value":true}}</c>; when that does not decode, the legacy (API &lt; 1.22) form
    /// <c>{"key":["value"]}</c> is tried, and if neither decodes the error is dockerd's "invalid filter".
    /// </summary>
    public static FilterArgs Parse(string? json)
    {
        var args = new FilterArgs();
        if (string.IsNullOrEmpty(json))
        {
            return args;
        }
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json);
        }
        catch (JsonException)
        {
            throw DaemonException.InvalidParameter(Messages.InvalidFilter);
        }
        using (document)
        {
            var root = document.RootElement;
            // Go decodes a top-level null into a nil map: no filters, no error.
            if (root.ValueKind == JsonValueKind.Null)
            {
                return args;
            }
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw DaemonException.InvalidParameter(Messages.InvalidFilter);
            }
            if (!TryReadForm(root, args, legacy: false))
            {
                args._fields.Clear();
                if (!TryReadForm(root, args, legacy: true))
                {
                    throw DaemonException.InvalidParameter(Messages.InvalidFilter);
                }
            }
        }
        return args;
    }

    private static bool TryReadForm(JsonElement root, FilterArgs args, bool legacy)
    {
        foreach (var property in root.EnumerateObject())
        {
            // A repeated key replaces the earlier one, as Go's map decoding does.
            var values = new Dictionary<string, bool>(StringComparer.Ordinal);
            args._fields[property.Name] = values;
            var value = property.Value;
            if (value.ValueKind == JsonValueKind.Null)
            {
                continue;
            }
            if (legacy)
            {
                if (value.ValueKind != JsonValueKind.Array)
                {
                    return false;
                }
                foreach (var item in value.EnumerateArray())
                {
                    // null elements decode to "" in Go's []string.
                    if (item.ValueKind is not (JsonValueKind.String or JsonValueKind.Null))
                    {
                        return false;
                    }
                    values[item.GetString() ?? string.Empty] = true;
                }
            }
            else
            {
                if (value.ValueKind != JsonValueKind.Object)
                {
                    return false;
                }
                foreach (var item in value.EnumerateObject())
                {
                    switch (item.Value.ValueKind)
                    {
                        case JsonValueKind.True: values[item.Name] = true; break;
                        case JsonValueKind.False: values[item.Name] = false; break;
                        case JsonValueKind.Null: values[item.Name] = false; break;
                        default: return false;
                    }
                }
            }
        }
        return true;
    }

    /// <summary>Adds a value to a key (used to build filters in code and tests).</summary>
    public FilterArgs Add(string key, string value)
    {
        if (!_fields.TryGetValue(key, out var values))
        {
            values = new Dictionary<string, bool>(StringComparer.Ordinal);
            _fields[key] = values;
        }
        values[value] = true;
        return this;
    }

    /// <summary>True when the key was given, even with no values.</summary>
    public bool Contains(string key) => _fields.ContainsKey(key);

    /// <summary>The values of a key (empty when absent).</summary>
    public IReadOnlyCollection<string> Values(string key) =>
        _fields.TryGetValue(key, out var values) ? values.Keys : Array.Empty<string>();

    /// <summary>True when the key is absent or empty, or <paramref name="source"/> is one of its values.</summary>
    public bool ExactMatch(string key, string? source)
    {
        if (!_fields.TryGetValue(key, out var values) || values.Count == 0)
        {
            return true;
        }
        return source is not null && values.TryGetValue(source, out bool on) && on;
    }

    /// <summary>Like <see cref="ExactMatch"/> but only when the key has exactly one value.</summary>
    public bool UniqueExactMatch(string key, string? source)
    {
        if (!_fields.TryGetValue(key, out var values) || values.Count == 0)
        {
            return true;
        }
        return values.Count == 1 && source is not null && values.TryGetValue(source, out bool on) && on;
    }

    /// <summary>
    /// <see cref="ExactMatch"/>, or <paramref name="source"/> starts with one of the values (how
    /// dockerd matches IDs by prefix and "exec_start" against "exec_start: sh").
    /// </summary>
    public bool FuzzyMatch(string key, string? source)
    {
        if (ExactMatch(key, source))
        {
            return true;
        }
        source ??= string.Empty;
        foreach (var prefix in _fields[key].Keys)
        {
            if (source.StartsWith(prefix, StringComparison.Ordinal))
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>
    /// <see cref="ExactMatch"/>, or one of the values, read as a regular expression, matches
    /// <paramref name="source"/> (moby's Args.Match, used for names). Invalid patterns are skipped.
    /// Non-backtracking so a client-supplied pattern cannot stall the daemon (Go's RE2 is linear too).
    /// </summary>
    public bool Match(string key, string? source)
    {
        if (ExactMatch(key, source))
        {
            return true;
        }
        source ??= string.Empty;
        foreach (var pattern in _fields[key].Keys)
        {
            try
            {
                if (Regex.IsMatch(source, pattern, RegexOptions.NonBacktracking | RegexOptions.CultureInvariant))
                {
                    return true;
                }
            }
            catch (ArgumentException)
            {
                // Go's Match ignores patterns that do not compile.
            }
        }
        return false;
    }

    /// <summary>
    /// True when every value of the key, "k" or "k=v", is present in <paramref name="source"/>
    /// (all must match), or the key has no values. Used for label filters.
    /// </summary>
    public bool MatchKVList(string key, IReadOnlyDictionary<string, string>? source)
    {
        if (!_fields.TryGetValue(key, out var values) || values.Count == 0)
        {
            return true;
        }
        if (source is null || source.Count == 0)
        {
            return false;
        }
        foreach (var value in values.Keys)
        {
            int eq = value.IndexOf('=', StringComparison.Ordinal);
            string wantedKey = eq < 0 ? value : value[..eq];
            if (!source.TryGetValue(wantedKey, out var actual))
            {
                return false;
            }
            if (eq >= 0 && !actual.AsSpan().SequenceEqual(value.AsSpan(eq + 1)))
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>
    /// A boolean filter such as dangling=true: absent gives the default; "1"/"true" and "0"/"false"
    /// decide; no values, other values or both at once are "invalid filter 'key=[values]'".
    /// </summary>
    public bool GetBoolOrDefault(string key, bool defaultValue)
    {
        if (!_fields.TryGetValue(key, out var values))
        {
            return defaultValue;
        }
        if (values.Count == 0)
        {
            throw DaemonException.InvalidParameter(Messages.InvalidFilterKey(key));
        }
        bool isFalse = IsOn(values, "0") || IsOn(values, "false");
        bool isTrue = IsOn(values, "1") || IsOn(values, "true");
        if (isFalse == isTrue)
        {
            throw DaemonException.InvalidParameter(Messages.InvalidFilterValue(key, values.Keys));
        }
        return isTrue;
    }

    /// <summary>Rejects the first key not in <paramref name="acceptedKeys"/> with "invalid filter 'key'".</summary>
    public void Validate(IReadOnlySet<string> acceptedKeys)
    {
        foreach (var key in _fields.Keys)
        {
            if (!acceptedKeys.Contains(key))
            {
                throw DaemonException.InvalidParameter(Messages.InvalidFilterKey(key));
            }
        }
    }

    private static bool IsOn(Dictionary<string, bool> values, string value) =>
        values.TryGetValue(value, out bool on) && on;
}
