using System.Text.RegularExpressions;
using Berth.Engine.Errors;
using Berth.Engine.Images;

namespace Berth.Engine.Build.Dockerfile;

/// <summary>
/// Gives each node its meaning and checks it before anything runs, as the classic builder does
/// (its checkDispatch pass): unknown instructions, argument counts and unknown flags are errors
/// "Dockerfile parse error line N: …" and the build stops before its first step.
/// </summary>
public static partial class InstructionParser
{
    [GeneratedRegex("^[a-z][a-z0-9-_.]*$")]
    private static partial Regex StageNamePattern();

    public static IReadOnlyList<Instruction> ParseAll(DockerfileAst ast)
    {
        var result = new List<Instruction>(ast.Nodes.Count);
        foreach (var node in ast.Nodes)
        {
            try
            {
                result.Add(Parse(node));
            }
            catch (DaemonException e) when (e.Kind == ErrorKind.InvalidParameter)
            {
                throw LineError(node, e.Message);
            }
        }
        return result;
    }

    public static DaemonException LineError(DockerfileNode node, string message) =>
        DaemonException.InvalidParameter($"Dockerfile parse error line {node.StartLine}: {message}");

    public static Instruction Parse(DockerfileNode node)
    {
        switch (node.Name)
        {
            case "from":
                return From(node);
            case "run" or "cmd" or "entrypoint":
                AllowFlags(node, node.Name == "run" ? ["network", "mount", "security"] : []);
                return Command(node, requireJson: false);
            case "shell":
                AllowFlags(node, []);
                return Command(node, requireJson: true);
            case "copy" or "add":
                return Copy(node);
            case "arg":
                AllowFlags(node, []);
                return Arg(node);
            case "healthcheck":
                // Its flags are part of the arguments HealthcheckParser reads.
                return new ConfigInstruction(node);
            case "env" or "label" or "expose" or "user" or "workdir" or "volume" or "stopsignal" or "onbuild" or "maintainer":
                AllowFlags(node, []);
                if (node.Args.Length == 0)
                {
                    throw DaemonException.InvalidParameter($"{node.Name.ToUpperInvariant()} requires at least one argument");
                }
                return new ConfigInstruction(node);
            default:
                throw DaemonException.InvalidParameter($"unknown instruction: {node.Name.ToUpperInvariant()}");
        }
    }

    private static FromInstruction From(DockerfileNode node)
    {
        var flags = Flags(node, ["platform"]);
        var words = ShellWords.SplitRaw(node.Args);
        if (words.Count is not (1 or 3))
        {
            throw DaemonException.InvalidParameter("FROM requires either one or three arguments");
        }
        string? stage = null;
        if (words.Count == 3)
        {
            if (!string.Equals(words[1], "as", StringComparison.OrdinalIgnoreCase))
            {
                throw DaemonException.InvalidParameter("FROM requires either one or three arguments");
            }
            stage = words[2].ToLowerInvariant();
            if (!StageNamePattern().IsMatch(stage))
            {
                throw DaemonException.InvalidParameter($"invalid name for build stage: \"{words[2]}\", name can't start with a number or contain symbols");
            }
        }
        return new FromInstruction(node, words[0], stage, flags.GetValueOrDefault("platform"));
    }

    private static CommandInstruction Command(DockerfileNode node, bool requireJson)
    {
        if (ImportChanges.TryJsonArray(node.Args, out var exec))
        {
            return new CommandInstruction(node, exec, ShellForm: false);
        }
        if (requireJson)
        {
            throw DaemonException.InvalidParameter("SHELL requires the arguments to be in JSON form");
        }
        if (node.Name == "run" && node.Args.Length == 0)
        {
            throw DaemonException.InvalidParameter("RUN requires at least one argument");
        }
        return new CommandInstruction(node, node.Args.Length == 0 ? [] : [node.Args], ShellForm: true);
    }

    private static CopyInstruction Copy(DockerfileNode node)
    {
        bool isAdd = node.Name == "add";
        var flags = Flags(node, isAdd ? ["chown", "chmod", "link", "checksum", "keep-git-dir"] : ["from", "chown", "chmod", "link", "parents", "exclude"]);
        List<string> words = ImportChanges.TryJsonArray(node.Args, out var json) ? json : ShellWords.SplitRaw(node.Args);
        if (words.Count < 2)
        {
            string name = node.Name.ToUpperInvariant();
            throw DaemonException.InvalidParameter(words.Count == 0
                ? $"{name} requires at least two arguments"
                : $"{name} requires at least two arguments, but only one was provided. Destination could not be determined.");
        }
        return new CopyInstruction(node, isAdd, words[..^1], words[^1], flags.GetValueOrDefault("from"), flags.GetValueOrDefault("chown"), flags.GetValueOrDefault("chmod"));
    }

    private static ArgInstruction Arg(DockerfileNode node)
    {
        var words = ShellWords.SplitRaw(node.Args);
        if (words.Count == 0)
        {
            throw DaemonException.InvalidParameter("ARG requires exactly one argument");
        }
        var args = new List<KeyValuePair<string, string?>>();
        foreach (var word in words)
        {
            int eq = word.IndexOf('=', StringComparison.Ordinal);
            string name = eq < 0 ? word : word[..eq];
            if (name.Length == 0)
            {
                throw DaemonException.InvalidParameter("ARG names can not be blank");
            }
            args.Add(new(name, eq < 0 ? null : word[(eq + 1)..]));
        }
        return new ArgInstruction(node, args);
    }

    private static void AllowFlags(DockerfileNode node, string[] known) => Flags(node, known);

    /// <summary>--name=value flags; an unknown one is "Unknown flag: name" as in the classic builder.</summary>
    private static Dictionary<string, string> Flags(DockerfileNode node, string[] known)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var flag in node.Flags)
        {
            string body = flag[2..];
            int eq = body.IndexOf('=', StringComparison.Ordinal);
            string name = eq < 0 ? body : body[..eq];
            if (Array.IndexOf(known, name) < 0)
            {
                throw DaemonException.InvalidParameter($"Unknown flag: {name}");
            }
            if (eq < 0 && name is not ("link" or "parents" or "keep-git-dir"))
            {
                throw DaemonException.InvalidParameter($"Missing a value on flag: {flag}");
            }
            if (!result.TryAdd(name, eq < 0 ? "true" : body[(eq + 1)..]))
            {
                throw DaemonException.InvalidParameter($"Duplicate flag specified: {name}");
            }
        }
        return result;
    }
}
