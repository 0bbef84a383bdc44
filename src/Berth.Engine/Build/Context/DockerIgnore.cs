using System.Text;
using System.Text.RegularExpressions;

namespace Berth.Engine.Build.Context;

/// <summary>
/// .dockerignore patterns as the docker CLI and dockerd read them: one per line, '#' comment lines,
/// whitespace trimmed, '!' for an exception, paths cleaned and made relative. A path is excluded
/// when the last pattern matching it, or one of its parent directories, is not an exception.
/// <c>*</c> and <c>?</c> stop at '/', <c>**</c> spans any number of directories.
/// </summary>
public sealed class DockerIgnore
{
    private readonly List<(Regex Pattern, bool Exception)> _patterns;

    private DockerIgnore(List<(Regex, bool)> patterns) => _patterns = patterns;

    public static DockerIgnore Empty { get; } = new([]);

    public bool IsEmpty => _patterns.Count == 0;

    public static IReadOnlyList<string> ReadPatterns(string text)
    {
        var result = new List<string>();
        bool first = true;
        foreach (var raw in text.Split('\n'))
        {
            string line = first ? raw.TrimStart('\uFEFF') : raw;
            first = false;
            if (line.StartsWith('#'))
            {
                continue;
            }
            line = line.Trim();
            if (line.Length == 0)
            {
                continue;
            }
            bool exception = line[0] == '!';
            if (exception)
            {
                line = line[1..].Trim();
            }
            if (line.Length > 0)
            {
                line = CleanPath(line);
                if (line.Length > 1 && line[0] == '/')
                {
                    line = line[1..];
                }
            }
            result.Add(exception ? "!" + line : line);
        }
        return result;
    }

    public static DockerIgnore Parse(string text)
    {
        var patterns = new List<(Regex, bool)>();
        foreach (var pattern in ReadPatterns(text))
        {
            bool exception = pattern.StartsWith('!');
            string body = exception ? pattern[1..] : pattern;
            if (body.Length == 0)
            {
                throw Errors.DaemonException.InvalidParameter("illegal exclusion pattern: \"!\"");
            }
            patterns.Add((Compile(body), exception));
        }
        return new DockerIgnore(patterns);
    }

    /// <summary>True when the context-relative path (no leading '/') is excluded.</summary>
    public bool IsExcluded(string relativePath)
    {
        string path = CleanPath(relativePath).TrimStart('/');
        bool excluded = false;
        foreach (var (pattern, exception) in _patterns)
        {
            if (exception != excluded)
            {
                continue; // It could not change the outcome.
            }
            if (MatchesSelfOrParent(pattern, path))
            {
                excluded = !exception;
            }
        }
        return excluded;
    }

    private static bool MatchesSelfOrParent(Regex pattern, string path)
    {
        if (pattern.IsMatch(path))
        {
            return true;
        }
        for (int slash = path.LastIndexOf('/'); slash > 0; slash = path.LastIndexOf('/', slash - 1))
        {
            if (pattern.IsMatch(path[..slash]))
            {
                return true;
            }
        }
        return false;
    }

    private static Regex Compile(string pattern)
    {
        var regex = new StringBuilder("^");
        for (int i = 0; i < pattern.Length; i++)
        {
            char c = pattern[i];
            switch (c)
            {
                case '*' when i + 1 < pattern.Length && pattern[i + 1] == '*':
                    i++;
                    if (i + 1 < pattern.Length && pattern[i + 1] == '/')
                    {
                        i++;
                    }
                    regex.Append(i + 1 >= pattern.Length ? ".*" : "(.*/)?");
                    break;
                case '*':
                    regex.Append("[^/]*");
                    break;
                case '?':
                    regex.Append("[^/]");
                    break;
                case '\\' when i + 1 < pattern.Length:
                    regex.Append(Regex.Escape(pattern[++i].ToString()));
                    break;
                case '[' or ']' or '-' or '^':
                    regex.Append(c);
                    break;
                default:
                    regex.Append(Regex.Escape(c.ToString()));
                    break;
            }
        }
        regex.Append('$');
        return new Regex(regex.ToString(), RegexOptions.CultureInvariant);
    }

    /// <summary>Go's path.Clean for slash paths.</summary>
    public static string CleanPath(string path)
    {
        if (path.Length == 0)
        {
            return ".";
        }
        bool rooted = path[0] == '/';
        var parts = new List<string>();
        foreach (var part in path.Split('/'))
        {
            if (part is "" or ".")
            {
                continue;
            }
            if (part == "..")
            {
                if (parts.Count > 0 && parts[^1] != "..")
                {
                    parts.RemoveAt(parts.Count - 1);
                }
                else if (!rooted)
                {
                    parts.Add(part);
                }
                continue;
            }
            parts.Add(part);
        }
        string joined = string.Join('/', parts);
        return rooted ? "/" + joined : joined.Length == 0 ? "." : joined;
    }
}
