namespace Berth.Engine.Distribution;

/// <summary>One WWW-Authenticate challenge: scheme (lower case) and its parameters.</summary>
public sealed record AuthChallenge(string Scheme, IReadOnlyDictionary<string, string> Parameters)
{
    public string? Get(string name) => Parameters.TryGetValue(name, out var v) ? v : null;

    /// <summary>
    /// Parses WWW-Authenticate values as docker/distribution's challenge package does:
    /// <c>Bearer realm="…",service="…",scope="…"</c> or <c>Basic realm="…"</c>; parameter names lower-cased,
    /// quoted strings with backslash escapes.
    /// </summary>
    public static IReadOnlyList<AuthChallenge> Parse(IEnumerable<string> headerValues)
    {
        var list = new List<AuthChallenge>();
        foreach (var header in headerValues)
        {
            int i = 0;
            while (i < header.Length)
            {
                SkipSpace(header, ref i);
                int start = i;
                while (i < header.Length && IsToken(header[i]))
                {
                    i++;
                }
                if (i == start)
                {
                    break;
                }
                var scheme = header[start..i].ToLowerInvariant();
                var parameters = new Dictionary<string, string>(StringComparer.Ordinal);
                while (true)
                {
                    SkipSpace(header, ref i);
                    int keyStart = i;
                    while (i < header.Length && IsToken(header[i]))
                    {
                        i++;
                    }
                    var key = header[keyStart..i].ToLowerInvariant();
                    SkipSpace(header, ref i);
                    if (key.Length == 0 || i >= header.Length || header[i] != '=')
                    {
                        i = keyStart;
                        break;
                    }
                    i++;
                    SkipSpace(header, ref i);
                    parameters[key] = ReadValue(header, ref i);
                    SkipSpace(header, ref i);
                    if (i < header.Length && header[i] == ',')
                    {
                        i++;
                        continue;
                    }
                    break;
                }
                list.Add(new AuthChallenge(scheme, parameters));
                SkipSpace(header, ref i);
                if (i < header.Length && header[i] == ',')
                {
                    i++;
                }
            }
        }
        return list;
    }

    private static string ReadValue(string s, ref int i)
    {
        if (i < s.Length && s[i] == '"')
        {
            i++;
            var sb = new System.Text.StringBuilder();
            while (i < s.Length && s[i] != '"')
            {
                if (s[i] == '\\' && i + 1 < s.Length)
                {
                    i++;
                }
                sb.Append(s[i]);
                i++;
            }
            i = Math.Min(i + 1, s.Length);
            return sb.ToString();
        }
        int start = i;
        while (i < s.Length && IsToken(s[i]))
        {
            i++;
        }
        return s[start..i];
    }

    private static void SkipSpace(string s, ref int i)
    {
        while (i < s.Length && s[i] is ' ' or '\t')
        {
            i++;
        }
    }

    private static bool IsToken(char c) => c > ' ' && c < 127 && "()<>@,;:\\\"/[]?={}".IndexOf(c, StringComparison.Ordinal) < 0;
}
