namespace Berth.Daemon.Configuration;

/// <summary>Daemon label rules from moby: opts.ValidateLabel and config.GetConflictFreeLabels.</summary>
public static class DaemonLabels
{
    /// <summary>Null when valid, else dockerd's message.</summary>
    public static string? Validate(string label)
    {
        if (!label.Contains('=', StringComparison.Ordinal))
        {
            return $"bad attribute format: {label}";
        }
        // The reserved namespaces belong to the engine itself; dockerd refuses them for users.
        string lowered = label.ToLowerInvariant();
        if (lowered.StartsWith("com.docker.", StringComparison.Ordinal)
            || lowered.StartsWith("io.docker.", StringComparison.Ordinal)
            || lowered.StartsWith("org.dockerproject.", StringComparison.Ordinal))
        {
            return $"label {label} is not allowed: the namespaces com.docker.*, io.docker.*, and org.dockerproject.* are reserved for internal use";
        }
        return null;
    }

    /// <summary>
    /// Drops exact duplicates and fails on one key with two values, as dockerd does. dockerd
    /// returns map order (random); we keep first-seen order so output is stable.
    /// </summary>
    public static IReadOnlyList<string>? ConflictFree(IEnumerable<string> labels, out string? error)
    {
        error = null;
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        var order = new List<string>();
        foreach (string label in labels)
        {
            int eq = label.IndexOf('=', StringComparison.Ordinal);
            if (eq < 0)
            {
                continue;
            }
            string key = label[..eq];
            string value = label[(eq + 1)..];
            if (values.TryGetValue(key, out string? existing))
            {
                if (existing != value)
                {
                    error = $"conflict labels for {key}={value} and {key}={existing}";
                    return null;
                }
                continue;
            }
            values[key] = value;
            order.Add(key);
        }
        return order.Select(k => k + "=" + values[k]).ToArray();
    }
}
