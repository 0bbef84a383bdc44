using System.Globalization;
using System.Text.RegularExpressions;
using Berth.Engine.Errors;

namespace Berth.Engine.Containers;

/// <summary>
/// docker top's ps handling (moby daemon/top_unix.go) as pure functions: the ps_args check,
/// the argument list with "-q" and the pids, and the output filtered to the container's
/// processes (thread lines "-" follow the process they belong to).
/// </summary>
public static partial class TopParser
{
    public const string DefaultArgs = "-ef";

    [GeneratedRegex(@"\s+([^\s]*)=\s*(PID[^\s]*)")]
    private static partial Regex RenamedColumn();

    /// <summary>Renaming a column to PID… ("-o user=PID") would fool the pid filter: only pid= may.</summary>
    public static void ValidateArgs(string psArgs)
    {
        foreach (Match m in RenamedColumn().Matches(psArgs))
        {
            if (m.Groups[1].Value != "pid")
            {
                throw DaemonException.InvalidParameter(Messages.PsArgNotAllowed(m.Groups[1].Value, m.Groups[2].Value));
            }
        }
    }

    /// <summary>ps_args split on single spaces (as Go's strings.Split), then "-q1,2,3".</summary>
    public static List<string> Arguments(string psArgs, IReadOnlyList<int> pids, bool withPids)
    {
        List<string> args = [.. psArgs.Split(' ')];
        if (withPids)
        {
            args.Add("-q" + string.Join(',', pids.Select(p => p.ToString(CultureInfo.InvariantCulture))));
        }
        return args;
    }

    public static TopResult Parse(string output, IReadOnlyCollection<int> pids)
    {
        string[] lines = output.Split('\n');
        List<string> titles = Fields(lines[0]);
        int pidIndex = titles.IndexOf("PID");
        if (pidIndex < 0)
        {
            throw DaemonException.System(Messages.PsNoPidColumn);
        }
        var processes = new List<IReadOnlyList<string>>();
        bool previousContained = false;
        foreach (string line in lines.Skip(1))
        {
            if (line.Length == 0)
            {
                continue;
            }
            List<string> fields = Fields(line);
            if (pidIndex >= fields.Count)
            {
                continue;
            }
            if (fields[pidIndex] == "-")
            {
                if (previousContained)
                {
                    processes.Add(Merge(fields, titles.Count));
                }
                continue;
            }
            if (!int.TryParse(fields[pidIndex], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int pid))
            {
                throw DaemonException.System(Messages.PsUnexpectedPid(fields[pidIndex]));
            }
            previousContained = pids.Contains(pid);
            if (previousContained)
            {
                processes.Add(Merge(fields, titles.Count));
            }
        }
        return new TopResult(titles, processes);
    }

    /// <summary>As many fields as titles: the last (CMD) takes the rest of the line, joined by single spaces.</summary>
    private static List<string> Merge(List<string> fields, int titles)
    {
        if (fields.Count < titles)
        {
            return fields;
        }
        List<string> row = fields.GetRange(0, titles - 1);
        row.Add(string.Join(' ', fields.Skip(titles - 1)));
        return row;
    }

    private static List<string> Fields(string line) =>
        [.. line.Split([' ', '\t', '\n', '\f', '\r'], StringSplitOptions.RemoveEmptyEntries)];
}
