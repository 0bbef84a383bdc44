using Berth.Engine.Build.Dockerfile;
using Berth.Engine.Errors;

namespace Berth.UnitTests.Engine.Build;

public sealed class BuildPlanTests
{
    private const string MultiStage = """
        ARG BASE=busybox
        FROM $BASE AS build
        RUN echo hi > /x
        FROM busybox as final
        COPY --from=build /x /y
        CMD ["cat", "/y"]
        FROM final AS extra
        """;

    [Fact]
    public void Stages_MetaArgs_AndStepCount()
    {
        var plan = BuildPlan.Create(MultiStage, target: null);
        Assert.Single(plan.MetaArgs);
        Assert.Equal(["build", "final", "extra"], plan.Stages.Select(s => s.Name));
        Assert.Equal("$BASE", plan.Stages[0].From.BaseName);
        Assert.Equal(7, plan.StepCount);
        var copy = Assert.IsType<CopyInstruction>(plan.Stages[1].Instructions[0]);
        Assert.Equal(("build", "/y"), (copy.From, copy.Destination));
        var cmd = Assert.IsType<CommandInstruction>(plan.Stages[1].Instructions[1]);
        Assert.False(cmd.ShellForm);
        Assert.Equal(["cat", "/y"], cmd.Command);
        Assert.Same(plan.Stages[0], plan.FindStage("BUILD", before: 1));
        Assert.Same(plan.Stages[0], plan.FindStage("0", before: 1));
        Assert.Null(plan.FindStage("alpine", before: 1));
    }

    [Fact]
    public void Target_CutsTheStages()
    {
        var plan = BuildPlan.Create(MultiStage, target: "final");
        Assert.Equal(2, plan.Stages.Count);
        Assert.Equal(6, plan.StepCount);
        Assert.Equal("failed to reach build target nope in Dockerfile",
            Assert.Throws<DaemonException>(() => BuildPlan.Create(MultiStage, "nope")).Message);
    }

    [Theory]
    [InlineData("FROM a\nFOO bar", "Dockerfile parse error line 2: unknown instruction: FOO")]
    [InlineData("FROM a\nCOPY x", "Dockerfile parse error line 2: COPY requires at least two arguments, but only one was provided. Destination could not be determined.")]
    [InlineData("FROM a b", "Dockerfile parse error line 1: FROM requires either one or three arguments")]
    [InlineData("FROM a AS 1x", "Dockerfile parse error line 1: invalid name for build stage: \"1x\", name can't start with a number or contain symbols")]
    [InlineData("FROM a\nCOPY --nope=1 a b", "Dockerfile parse error line 2: Unknown flag: nope")]
    [InlineData("FROM a\nSHELL /bin/bash", "Dockerfile parse error line 2: SHELL requires the arguments to be in JSON form")]
    [InlineData("RUN x", "Dockerfile parse error line 1: no build stage in current context")]
    [InlineData("FROM a AS x\nFROM b AS x", "Dockerfile parse error line 2: duplicate name x")]
    [InlineData("FROM a\nENV", "Dockerfile parse error line 2: ENV requires at least one argument")]
    public void BadDockerfiles_NameTheLine(string text, string message) =>
        Assert.Equal(message, Assert.Throws<DaemonException>(() => BuildPlan.Create(text, null)).Message);

    [Fact]
    public void Arg_AllowsDefaultsAndBareNames()
    {
        var plan = BuildPlan.Create("FROM a\nARG x=1 y", null);
        var arg = Assert.IsType<ArgInstruction>(plan.Stages[0].Instructions[0]);
        Assert.Equal([new("x", "1"), new KeyValuePair<string, string?>("y", null)], arg.Args);
    }
}
