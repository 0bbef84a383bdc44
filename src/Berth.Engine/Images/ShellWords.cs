using System.Text;

namespace Berth.Engine.Images;

/// <summary>
/// The Dockerfile word rules that import's <c>changes</c> need (moby/buildkit shell.Lex, reduced):
/// words split on unquoted whitespace, quotes removed, backslash escapes, and $VAR / ${VAR} /
/// ${VAR:-default} / ${VAR:+alternative} expanded from the environment built so far.
/// </summary>
public static class ShellWords
{
    /// <summary>Splits on unquoted whitespace, keeping quotes and escapes for <see cref="Process"/>.</summary>
    public static List<string> SplitRaw(string text)
    {
        var words = new List<string>();
        var current = new StringBuilder();
        char quote = '\0';
        bool inWord = false;
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (quote == '\0' && char.IsWhiteSpace(c))
            {
                if (inWord)
                {
                    words.Add(current.ToString());
                    current.Clear();
                    inWord = false;
                }
                continue;
            }
            inWord = true;
            current.Append(c);
            if (c == '\\' && quote != '\'' && i + 1 < text.Length)
            {
                current.Append(text[++i]);
            }
            else if (quote == '\0' && c is '"' or '\'')
            {
                quote = c;
            }
            else if (c == quote)
            {
                quote = '\0';
            }
        }
        if (inWord)
        {
            words.Add(current.ToString());
        }
        return words;
    }

    /// <summary>Removes quotes and escapes and expands variables in one word.</summary>
    public static string Process(string word, Func<string, string?> lookup)
    {
        var sb = new StringBuilder(word.Length);
        char quote = '\0';
        for (int i = 0; i < word.Length; i++)
        {
            char c = word[i];
            if (quote == '\'')
            {
                if (c == '\'')
                {
                    quote = '\0';
                }
                else
                {
                    sb.Append(c);
                }
                continue;
            }
            if (c == '\\' && i + 1 < word.Length)
            {
                char next = word[i + 1];
                // Inside double quotes only \" \\ \$ are escapes; elsewhere any character is.
                if (quote == '"' && next is not ('"' or '\\' or '$'))
                {
                    sb.Append(c);
                }
                else
                {
                    sb.Append(next);
                    i++;
                }
                continue;
            }
            if (quote == '\0' && c is '"' or '\'')
            {
                quote = c;
                continue;
            }
            if (quote == '"' && c == '"')
            {
                quote = '\0';
                continue;
            }
            if (c == '$')
            {
                i = Expand(word, i, lookup, sb);
                continue;
            }
            sb.Append(c);
        }
        return sb.ToString();
    }

    /// <summary>Expands the variable starting at word[dollar]; returns the index of its last character.</summary>
    private static int Expand(string word, int dollar, Func<string, string?> lookup, StringBuilder sb)
    {
        int i = dollar + 1;
        if (i < word.Length && word[i] == '{')
        {
            int close = word.IndexOf('}', i);
            if (close < 0)
            {
                sb.Append(word, dollar, word.Length - dollar);
                return word.Length - 1;
            }
            string body = word[(i + 1)..close];
            int op = body.IndexOf(':', StringComparison.Ordinal);
            if (op > 0 && op + 1 < body.Length && body[op + 1] is '-' or '+')
            {
                string name = body[..op];
                string alternative = body[(op + 2)..];
                string? value = lookup(name);
                bool set = !string.IsNullOrEmpty(value);
                sb.Append(body[op + 1] == '-' ? (set ? value : alternative) : (set ? alternative : ""));
            }
            else
            {
                sb.Append(lookup(body) ?? "");
            }
            return close;
        }
        int end = i;
        while (end < word.Length && (char.IsAsciiLetterOrDigit(word[end]) || word[end] == '_'))
        {
            end++;
        }
        if (end == i)
        {
            sb.Append('$');
            return dollar;
        }
        sb.Append(lookup(word[i..end]) ?? "");
        return end - 1;
    }
}
