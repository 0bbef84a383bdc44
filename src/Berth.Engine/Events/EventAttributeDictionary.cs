using System.Collections;
using System.Diagnostics.CodeAnalysis;

namespace Berth.Engine.Events;

/// <summary>
/// An immutable attribute map kept sorted by key (ordinal). Events are written many times (once
/// per subscriber) and dockerd emits map keys sorted (Go's encoding/json), so sorting once at
/// publish time lets every writer enumerate in wire order without allocating. Publishers cannot
/// mutate an event after the fact because the pairs are copied.
/// </summary>
public sealed class EventAttributeDictionary : IReadOnlyDictionary<string, string>
{
    private readonly KeyValuePair<string, string>[] _pairs;

    public static readonly EventAttributeDictionary Empty = new([]);

    private EventAttributeDictionary(KeyValuePair<string, string>[] sortedPairs)
    {
        _pairs = sortedPairs;
    }

    /// <summary>Copies and sorts; returns the same instance when it already is one.</summary>
    public static EventAttributeDictionary From(IReadOnlyDictionary<string, string>? attributes)
    {
        if (attributes is EventAttributeDictionary already)
        {
            return already;
        }
        if (attributes is null || attributes.Count == 0)
        {
            return Empty;
        }
        var pairs = attributes.ToArray();
        Array.Sort(pairs, static (a, b) => string.CompareOrdinal(a.Key, b.Key));
        return new EventAttributeDictionary(pairs);
    }

    public int Count => _pairs.Length;

    /// <summary>The pairs in key order, for allocation-free enumeration.</summary>
    public ReadOnlySpan<KeyValuePair<string, string>> Pairs => _pairs;

    public string this[string key] => TryGetValue(key, out var value) ? value : throw new KeyNotFoundException(key);

    public IEnumerable<string> Keys => _pairs.Select(p => p.Key);

    public IEnumerable<string> Values => _pairs.Select(p => p.Value);

    public bool ContainsKey(string key) => IndexOf(key) >= 0;

    public bool TryGetValue(string key, [MaybeNullWhen(false)] out string value)
    {
        int index = IndexOf(key);
        if (index < 0)
        {
            value = null;
            return false;
        }
        value = _pairs[index].Value;
        return true;
    }

    public IEnumerator<KeyValuePair<string, string>> GetEnumerator() => ((IEnumerable<KeyValuePair<string, string>>)_pairs).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    private int IndexOf(string key)
    {
        int lo = 0;
        int hi = _pairs.Length - 1;
        while (lo <= hi)
        {
            int mid = lo + ((hi - lo) >> 1);
            int cmp = string.CompareOrdinal(_pairs[mid].Key, key);
            if (cmp == 0)
            {
                return mid;
            }
            if (cmp < 0)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid - 1;
            }
        }
        return -1;
    }
}
