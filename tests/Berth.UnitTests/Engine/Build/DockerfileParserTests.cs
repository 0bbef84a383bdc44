using Berth.Engine.Build.Dockerfile;
using Berth.Engine.Errors;

namespace Berth.UnitTests.Engine.Build;

public sealed class DockerfileParserTests
{
    [Fact]
    public void Continuations_Comments_AndLineNumbers()
    {
        var ast = DockerfileParser.Parse("""
            # a comment
            FROM busybox

            RUN echo a \
            # comment inside a continuation
                && echo b
            copy --chown=1:1 a b /dst/
            """);
        Assert.Equal(3, ast.Nodes.Count);
        Assert.Equal(("from", 2, 2), (ast.Nodes[0].Name, ast.Nodes[0].StartLine, ast.Nodes[0].EndLine));
        var run = ast.Nodes[1];
        Assert.Equal(("run", 4, 6), (run.Name, run.StartLine, run.EndLine));
        Assert.Equal("echo a     && echo b", run.Args);
        var copy = ast.Nodes[2];
        Assert.Equal(["--chown=1:1"], copy.Flags);
        Assert.Equal("a b /dst/", copy.Args);
    }

    [Fact]
    public void EscapeDirective_ChangesTheContinuationCharacter()
    {
        var ast = DockerfileParser.Parse("# escape=`\nFROM busybox\nRUN echo a `\n  b\\\nCMD x");
        Assert.Equal('`', ast.Escape);
        Assert.Equal("echo a   b\\", ast.Nodes[1].Args);
        Assert.Equal("cmd", ast.Nodes[2].Name);
    }

    [Fact]
    public void Directives_OnlyAtTheTop()
    {
        var ast = DockerfileParser.Parse("FROM busybox\n# escape=`\nRUN a \\\n b");
        Assert.Equal('\\', ast.Escape);
        Assert.Equal("a  b", ast.Nodes[1].Args);
        var ex = Assert.Throws<DaemonException>(() => DockerfileParser.Parse("# escape=x\nFROM a"));
        Assert.Equal("invalid escape token 'x' does not match ` or \\", ex.Message);
        Assert.Throws<DaemonException>(() => DockerfileParser.Parse("# escape=`\n# escape=`\nFROM a"));
        Assert.Equal("file with no instructions", Assert.Throws<DaemonException>(() => DockerfileParser.Parse("# just a comment\n\n")).Message);
    }

    [Fact]
    public void HealthcheckAndOnbuild_KeepTheirFlagsInTheArguments()
    {
        var ast = DockerfileParser.Parse("FROM a\nHEALTHCHECK --interval=5s CMD true\nONBUILD COPY --chown=1 a b");
        Assert.Empty(ast.Nodes[1].Flags);
        Assert.Equal("--interval=5s CMD true", ast.Nodes[1].Args);
        Assert.Equal("COPY --chown=1 a b", ast.Nodes[2].Args);
    }

    [Fact]
    public void EmptyContinuationLines_Warn()
    {
        var ast = DockerfileParser.Parse("FROM a\nRUN echo \\\n\n  hi");
        Assert.Equal("echo   hi", ast.Nodes[1].Args);
        Assert.Single(ast.Warnings);
    }
}
