using Berth.Engine.Errors;

namespace Berth.Engine.Build.Dockerfile;

/// <summary>One FROM and the instructions after it.</summary>
public sealed record BuildStage(int Index, FromInstruction From, IReadOnlyList<Instruction> Instructions)
{
    public string? Name => From.StageName;
}

/// <summary>
/// A Dockerfile split into stages: the ARGs before the first FROM (usable in FROM lines) and the
/// stages in order, cut at the target. The classic builder builds every stage up to the target
/// in file order, and numbers its "Step i/n" lines over all of them.
/// </summary>
public sealed record BuildPlan(IReadOnlyList<ArgInstruction> MetaArgs, IReadOnlyList<BuildStage> Stages, char Escape)
{
    public int StepCount => Stages.Sum(s => 1 + s.Instructions.Count) + MetaArgs.Count;

    public static BuildPlan Create(string dockerfileText, string? target)
    {
        var ast = DockerfileParser.Parse(dockerfileText);
        var instructions = InstructionParser.ParseAll(ast);
        var metaArgs = new List<ArgInstruction>();
        var stages = new List<BuildStage>();
        FromInstruction? from = null;
        var body = new List<Instruction>();
        foreach (var instruction in instructions)
        {
            if (instruction is FromInstruction next)
            {
                if (from is not null)
                {
                    stages.Add(new BuildStage(stages.Count, from, body));
                    body = [];
                }
                from = next;
                continue;
            }
            if (from is null)
            {
                if (instruction is ArgInstruction arg)
                {
                    metaArgs.Add(arg);
                    continue;
                }
                throw InstructionParser.LineError(instruction.Node, "no build stage in current context");
            }
            body.Add(instruction);
        }
        if (from is null)
        {
            throw DaemonException.InvalidParameter("No image was generated. Is your Dockerfile empty?");
        }
        stages.Add(new BuildStage(stages.Count, from, body));
        CheckStageNames(stages);
        if (!string.IsNullOrEmpty(target))
        {
            int index = stages.FindIndex(s => string.Equals(s.Name, target, StringComparison.OrdinalIgnoreCase));
            if (index < 0)
            {
                throw DaemonException.InvalidParameter($"failed to reach build target {target} in Dockerfile");
            }
            stages = stages[..(index + 1)];
        }
        return new BuildPlan(metaArgs, stages, ast.Escape);
    }

    private static void CheckStageNames(List<BuildStage> stages)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var stage in stages)
        {
            if (stage.Name is { } name && !seen.Add(name))
            {
                throw InstructionParser.LineError(stage.From.Node, $"duplicate name {name}");
            }
        }
    }

    /// <summary>A stage by name or index, as COPY --from names it; null when it is an image reference.</summary>
    public BuildStage? FindStage(string nameOrIndex, int before)
    {
        for (int i = 0; i < before && i < Stages.Count; i++)
        {
            if (string.Equals(Stages[i].Name, nameOrIndex, StringComparison.OrdinalIgnoreCase))
            {
                return Stages[i];
            }
        }
        if (int.TryParse(nameOrIndex, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int index))
        {
            if (index >= before)
            {
                throw DaemonException.InvalidParameter($"invalid from flag value {nameOrIndex}: refers to current build stage");
            }
            return Stages[index];
        }
        return null;
    }
}
