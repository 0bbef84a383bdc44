using System.Text;
using System.Text.RegularExpressions;
using Berth.Engine.Errors;

namespace Berth.Engine.Build.Dockerfile;

/// <summary>One instruction as written: its lower-cased name, leading --flags, and the rest of the line.</summary>
/// <param name="Original">The joined logical line as written (continuations removed), for history and errors.</param>
public sealed record DockerfileNode(string Name, IReadOnlyList<string> Flags, string Args, int StartLine, int EndLine, string Original);

/// <summary>A parsed Dockerfile: the escape character in effect and the instructions in order.</summary>
public sealed record DockerfileAst(char Escape, IReadOnlyList<DockerfileNode> Nodes, IReadOnlyList<string> Warnings);

/// <summary>
/// The line layer of the Dockerfile grammar, as the classic builder reads it: parser directives
/// at the top (<c># escape=</c>, <c># syntax=</c>), comment lines dropped everywhere (also inside
/// a continuation), the escape character at the end of a line joining it with the next, and
/// leading <c>--name=value</c> words split off as flags. Instruction arguments stay raw; the
/// instruction layer gives them meaning.
/// </summary>
public static partial class DockerfileParser
{
    [GeneratedRegex(@"^#[ \t]*([a-zA-Z][a-zA-Z0-9]*)[ \t]*=[ \t]*(.+?)[ \t]*$")]
    private static partial Regex DirectivePattern();

    public static DockerfileAst Parse(string text)
    {
        var lines = text.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        var warnings = new List<string>();
        int index = 0;
        char escape = ReadDirectives(lines, ref index);

        var nodes = new List<DockerfileNode>();
        var logical = new StringBuilder();
        int start = 0;
        bool emptyContinuation = false;
        for (; index < lines.Length; index++)
        {
            string trimmed = lines[index].TrimStart(' ', '\t');
            if (trimmed.StartsWith('#'))
            {
                continue;
            }
            // Only the first line of an instruction loses its indentation.
            string line = logical.Length == 0 ? trimmed : lines[index];
            if (logical.Length == 0 && line.Trim().Length == 0)
            {
                continue;
            }
            if (logical.Length == 0)
            {
                start = index + 1;
            }
            else if (line.Trim().Length == 0)
            {
                emptyContinuation = true;
                continue;
            }
            if (EndsWithContinuation(line, escape, out string body))
            {
                logical.Append(body);
                continue;
            }
            logical.Append(line);
            nodes.Add(MakeNode(logical.ToString(), start, index + 1));
            logical.Clear();
        }
        if (logical.Length > 0 && logical.ToString().Trim().Length > 0)
        {
            nodes.Add(MakeNode(logical.ToString(), start, lines.Length));
        }
        if (emptyContinuation)
        {
            warnings.Add("[WARNING]: Empty continuation line found in Dockerfile. Empty continuation lines will become errors in a future release.");
        }
        if (nodes.Count == 0)
        {
            throw DaemonException.InvalidParameter("file with no instructions");
        }
        return new DockerfileAst(escape, nodes, warnings);
    }

    /// <summary>Directives only count before the first comment, blank line or instruction.</summary>
    private static char ReadDirectives(string[] lines, ref int index)
    {
        char escape = '\\';
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (; index < lines.Length; index++)
        {
            var match = DirectivePattern().Match(lines[index]);
            if (!match.Success)
            {
                break;
            }
            string name = match.Groups[1].Value.ToLowerInvariant();
            string value = match.Groups[2].Value;
            if (name is not ("escape" or "syntax" or "check"))
            {
                break;
            }
            if (!seen.Add(name))
            {
                throw DaemonException.InvalidParameter($"only one {name} parser directive can be used");
            }
            if (name == "escape")
            {
                if (value is not ("`" or "\\"))
                {
                    throw DaemonException.InvalidParameter($"invalid escape token '{value}' does not match ` or \\");
                }
                escape = value[0];
            }
        }
        return escape;
    }

    private static bool EndsWithContinuation(string line, char escape, out string body)
    {
        string trimmed = line.TrimEnd(' ', '\t');
        if (trimmed.Length > 0 && trimmed[^1] == escape)
        {
            body = trimmed[..^1];
            return true;
        }
        body = line;
        return false;
    }

    private static DockerfileNode MakeNode(string logical, int startLine, int endLine)
    {
        string text = logical.Trim();
        int space = IndexOfSpace(text);
        string name = (space < 0 ? text : text[..space]).ToLowerInvariant();
        string rest = space < 0 ? "" : text[(space + 1)..].TrimStart(' ', '\t');
        var flags = new List<string>();
        // ONBUILD's flags belong to its trigger (parsed again when it fires); HEALTHCHECK reads
        // its own flags with the commit-change rules.
        while (rest.StartsWith("--", StringComparison.Ordinal) && name is not ("onbuild" or "healthcheck"))
        {
            int end = IndexOfSpace(rest);
            string flag = end < 0 ? rest : rest[..end];
            if (flag == "--")
            {
                break;
            }
            flags.Add(flag);
            rest = end < 0 ? "" : rest[(end + 1)..].TrimStart(' ', '\t');
        }
        return new DockerfileNode(name, flags, rest.TrimEnd(' ', '\t'), startLine, endLine, text);
    }

    private static int IndexOfSpace(string text) => text.AsSpan().IndexOfAny(' ', '\t');
}
