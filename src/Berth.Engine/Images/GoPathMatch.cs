using Berth.Engine.Errors;

namespace Berth.Engine.Images;

/// <summary>
/// Go's path.Match, which the images list's <c>reference</c> filter uses (reference.FamiliarMatch):
/// <c>*</c> matches any run of non-'/' characters, <c>?</c> one non-'/' character, <c>[...]</c> a
/// class (with ranges and leading '^' negation), <c>\</c> escapes. A malformed pattern is
/// InvalidParameter "syntax error in pattern" (path.ErrBadPattern).
/// </summary>
public static class GoPathMatch
{
    public const string BadPattern = "syntax error in pattern";

    public static bool Match(string pattern, string name)
    {
        var p = pattern;
        var n = name;
        while (p.Length > 0)
        {
            bool star = false;
            while (p.Length > 0 && p[0] == '*')
            {
                p = p[1..];
                star = true;
            }
            var chunk = ScanChunk(ref p);
            if (star && chunk.Length == 0)
            {
                // A trailing * matches the rest of the name unless it holds a '/'.
                return !n.Contains('/');
            }
            var rest = MatchChunk(chunk, n, out bool ok);
            if (ok && (rest.Length == 0 || p.Length > 0))
            {
                n = rest;
                continue;
            }
            if (star)
            {
                bool found = false;
                for (int i = 0; i < n.Length && n[i] != '/'; i++)
                {
                    rest = MatchChunk(chunk, n[(i + 1)..], out ok);
                    if (ok)
                    {
                        if (p.Length == 0 && rest.Length > 0)
                        {
                            continue;
                        }
                        n = rest;
                        found = true;
                        break;
                    }
                }
                if (found)
                {
                    continue;
                }
            }
            // Go checks the rest of the pattern for syntax errors before answering false.
            while (p.Length > 0)
            {
                while (p.Length > 0 && p[0] == '*')
                {
                    p = p[1..];
                }
                var remaining = ScanChunk(ref p);
                MatchChunk(remaining, "", out _);
            }
            return false;
        }
        return n.Length == 0;
    }

    private static string ScanChunk(ref string pattern)
    {
        bool inRange = false;
        int i = 0;
        for (; i < pattern.Length; i++)
        {
            char c = pattern[i];
            if (c == '\\')
            {
                if (i + 1 < pattern.Length)
                {
                    i++;
                }
            }
            else if (c == '[')
            {
                inRange = true;
            }
            else if (c == ']')
            {
                inRange = false;
            }
            else if (c == '*' && !inRange)
            {
                break;
            }
        }
        var chunk = pattern[..i];
        pattern = pattern[i..];
        return chunk;
    }

    /// <summary>Matches one chunk at the start of <paramref name="s"/>; returns what is left of s.</summary>
    private static string MatchChunk(string chunk, string s, out bool ok)
    {
        // Like Go, keep scanning the chunk after a failure so syntax errors always surface.
        bool failed = false;
        while (chunk.Length > 0)
        {
            if (!failed && s.Length == 0)
            {
                failed = true;
            }
            switch (chunk[0])
            {
                case '[':
                    char r = failed ? '\0' : s[0];
                    if (!failed)
                    {
                        s = s[1..];
                    }
                    chunk = chunk[1..];
                    bool negated = chunk.Length > 0 && chunk[0] == '^';
                    if (negated)
                    {
                        chunk = chunk[1..];
                    }
                    bool match = false;
                    int count = 0;
                    while (true)
                    {
                        if (chunk.Length > 0 && chunk[0] == ']' && count > 0)
                        {
                            chunk = chunk[1..];
                            break;
                        }
                        char lo = GetEscaped(ref chunk);
                        char hi = lo;
                        if (chunk.Length > 0 && chunk[0] == '-')
                        {
                            chunk = chunk[1..];
                            hi = GetEscaped(ref chunk);
                        }
                        if (lo <= r && r <= hi)
                        {
                            match = true;
                        }
                        count++;
                    }
                    if (match == negated)
                    {
                        failed = true;
                    }
                    break;
                case '?':
                    if (!failed)
                    {
                        if (s[0] == '/')
                        {
                            failed = true;
                        }
                        else
                        {
                            s = s[1..];
                        }
                    }
                    chunk = chunk[1..];
                    break;
                case '\\':
                    chunk = chunk[1..];
                    if (chunk.Length == 0)
                    {
                        throw DaemonException.InvalidParameter(BadPattern);
                    }
                    goto default;
                default:
                    if (!failed)
                    {
                        if (chunk[0] != s[0])
                        {
                            failed = true;
                        }
                        else
                        {
                            s = s[1..];
                        }
                    }
                    chunk = chunk[1..];
                    break;
            }
        }
        ok = !failed;
        return failed ? "" : s;
    }

    private static char GetEscaped(ref string chunk)
    {
        if (chunk.Length == 0 || chunk[0] is '-' or ']')
        {
            throw DaemonException.InvalidParameter(BadPattern);
        }
        if (chunk[0] == '\\')
        {
            chunk = chunk[1..];
            if (chunk.Length == 0)
            {
                throw DaemonException.InvalidParameter(BadPattern);
            }
        }
        char c = chunk[0];
        chunk = chunk[1..];
        if (chunk.Length == 0)
        {
            // An unterminated class.
            throw DaemonException.InvalidParameter(BadPattern);
        }
        return c;
    }
}
