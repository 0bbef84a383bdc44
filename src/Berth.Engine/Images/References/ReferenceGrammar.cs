namespace Berth.Engine.Images.References;

/// <summary>
/// distribution/reference's grammar (regexp.go) as linear, allocation-free scanners. Each
/// method is equivalent to the anchored Go expression named in its summary; none backtracks.
/// </summary>
internal static class ReferenceGrammar
{
    /// <summary>Tags are at most this long (<c>[\w][\w.-]{0,127}</c>).</summary>
    public const int TagMaxLength = 128;

    /// <summary><c>^[a-f0-9]{64}$</c> (identifier).</summary>
    public static bool IsIdentifier(ReadOnlySpan<char> s)
    {
        if (s.Length != 64)
        {
            return false;
        }
        foreach (char c in s)
        {
            if (!IsLowerHex(c))
            {
                return false;
            }
        }
        return true;
    }

    /// <summary><c>^[\w][\w.-]{0,127}$</c> with Go's ASCII-only <c>\w</c>.</summary>
    public static bool IsTag(ReadOnlySpan<char> s)
    {
        if (s.Length is 0 or > TagMaxLength || !IsWord(s[0]))
        {
            return false;
        }
        foreach (char c in s[1..])
        {
            if (!IsWord(c) && c is not ('.' or '-'))
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>
    /// remoteName: <c>pathComponent(/pathComponent)*</c> where pathComponent is
    /// <c>[a-z0-9]+((?:[._]|__|[-]+)[a-z0-9]+)*</c>.
    /// </summary>
    public static bool IsRemoteName(ReadOnlySpan<char> s)
    {
        while (true)
        {
            int slash = s.IndexOf('/');
            if (!IsPathComponent(slash < 0 ? s : s[..slash]))
            {
                return false;
            }
            if (slash < 0)
            {
                return true;
            }
            s = s[(slash + 1)..];
        }
    }

    private static bool IsPathComponent(ReadOnlySpan<char> s)
    {
        if (s.IsEmpty || !IsLowerAlnum(s[0]) || !IsLowerAlnum(s[^1]))
        {
            return false;
        }
        int i = 1;
        while (i < s.Length)
        {
            if (IsLowerAlnum(s[i]))
            {
                i++;
                continue;
            }
            // A separator run between two alphanumeric runs: ".", "_", "__" or one or more "-".
            int start = i;
            while (i < s.Length && !IsLowerAlnum(s[i]))
            {
                i++;
            }
            var separator = s[start..i];
            bool valid = separator switch
            {
                "." or "_" or "__" => true,
                _ => !separator.ContainsAnyExcept('-'),
            };
            if (!valid)
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>
    /// domainAndPort: <c>(domainName|\[[a-fA-F0-9:]+\])(:[0-9]+)?</c>, domainName being
    /// dot-separated components of <c>[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]</c>.
    /// </summary>
    public static bool IsDomainAndPort(ReadOnlySpan<char> s)
    {
        ReadOnlySpan<char> rest;
        if (s.Length > 0 && s[0] == '[')
        {
            int close = s.IndexOf(']');
            if (close < 2)
            {
                return false;
            }
            foreach (char c in s[1..close])
            {
                if (!char.IsAsciiHexDigit(c) && c != ':')
                {
                    return false;
                }
            }
            rest = s[(close + 1)..];
        }
        else
        {
            int colon = s.IndexOf(':');
            var host = colon < 0 ? s : s[..colon];
            if (!IsDomainName(host))
            {
                return false;
            }
            rest = colon < 0 ? [] : s[colon..];
        }
        return rest.IsEmpty || (rest[0] == ':' && rest.Length > 1 && !rest[1..].ContainsAnyExceptInRange('0', '9'));
    }

    private static bool IsDomainName(ReadOnlySpan<char> s)
    {
        while (true)
        {
            int dot = s.IndexOf('.');
            var component = dot < 0 ? s : s[..dot];
            if (component.IsEmpty || component[0] == '-' || component[^1] == '-')
            {
                return false;
            }
            foreach (char c in component)
            {
                if (!char.IsAsciiLetterOrDigit(c) && c != '-')
                {
                    return false;
                }
            }
            if (dot < 0)
            {
                return true;
            }
            s = s[(dot + 1)..];
        }
    }

    /// <summary>
    /// digestPat: <c>[A-Za-z][A-Za-z0-9]*([-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}</c>.
    /// </summary>
    public static bool IsDigestPattern(ReadOnlySpan<char> s)
    {
        int colon = s.IndexOf(':');
        if (colon < 0)
        {
            return false;
        }
        var algorithm = s[..colon];
        var encoded = s[(colon + 1)..];
        if (encoded.Length < 32 || encoded.ContainsAnyExcept(HexDigits))
        {
            return false;
        }
        bool expectLetter = true;
        foreach (char c in algorithm)
        {
            if (expectLetter)
            {
                if (!char.IsAsciiLetter(c))
                {
                    return false;
                }
                expectLetter = false;
            }
            else if (c is '-' or '_' or '+' or '.')
            {
                expectLetter = true;
            }
            else if (!char.IsAsciiLetterOrDigit(c))
            {
                return false;
            }
        }
        return !expectLetter;
    }

    private static readonly System.Buffers.SearchValues<char> HexDigits =
        System.Buffers.SearchValues.Create("0123456789abcdefABCDEF");

    private static bool IsLowerHex(char c) => c is (>= '0' and <= '9') or (>= 'a' and <= 'f');

    private static bool IsLowerAlnum(char c) => c is (>= '0' and <= '9') or (>= 'a' and <= 'z');

    private static bool IsWord(char c) => char.IsAsciiLetterOrDigit(c) || c == '_';
}
