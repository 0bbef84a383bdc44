using Berth.Engine.Errors;
using Berth.Engine.Images;

namespace Berth.UnitTests.Engine.Images;

public class ImportChangesTests
{
    private static RunConfig Apply(params string[] changes) => ImportChanges.Apply(new RunConfig(), changes);

    [Fact]
    public void Cmd_ExecAndShellForms()
    {
        Assert.Equal(["/bin/sh"], Apply("CMD [\"/bin/sh\"]").Cmd);
        Assert.Equal(["/bin/sh", "-c", "echo hi there"], Apply("cmd echo hi there").Cmd);
        Assert.Equal(["/bin/sh", "-c", "[not json"], Apply("CMD [not json").Cmd);
    }

    [Fact]
    public void Entrypoint_ClearsCmdUnlessCmdWasSetInTheseChanges()
    {
        var onlyEntrypoint = Apply("ENTRYPOINT [\"/init\"]");
        Assert.Equal(["/init"], onlyEntrypoint.Entrypoint);
        Assert.Null(onlyEntrypoint.Cmd);
        var both = Apply("CMD [\"a\"]", "ENTRYPOINT [\"/init\"]");
        Assert.Equal(["a"], both.Cmd);
    }

    [Fact]
    public void Env_BothFormsQuotesAndExpansion()
    {
        var config = Apply("ENV A=1 B=\"two words\"", "ENV C ${A}-$B", "ENV A=3", "ENV D=${MISSING:-dflt}");
        Assert.Equal(["A=3", "B=two words", "C=1-two words", "D=dflt"], config.Env);
    }

    [Fact]
    public void Label_Expose_User_Workdir_Volume_StopSignal_OnBuild()
    {
        var config = Apply(
            "LABEL maintainer=me \"with space\"='x y'",
            "EXPOSE 80 53/udp 8000-8001",
            "USER nobody:nogroup",
            "WORKDIR /app",
            "WORKDIR sub/../lib",
            "VOLUME [\"/data\", \"/logs\"]",
            "VOLUME /cache",
            "STOPSIGNAL SIGINT",
            "ONBUILD RUN echo hi");
        Assert.Equal("me", config.Labels!["maintainer"]);
        Assert.Equal("x y", config.Labels["with space"]);
        Assert.Equal(["53/udp", "80/tcp", "8000/tcp", "8001/tcp"], config.ExposedPorts!);
        Assert.Equal("nobody:nogroup", config.User);
        Assert.Equal("/app/lib", config.WorkingDir);
        Assert.Equal(["/cache", "/data", "/logs"], config.Volumes!);
        Assert.Equal("SIGINT", config.StopSignal);
        Assert.Equal(["RUN echo hi"], config.OnBuild);
    }

    [Fact]
    public void Healthcheck_FlagsAndForms()
    {
        var h = Apply("HEALTHCHECK --interval=5s --retries=3 CMD curl -f http://localhost/").Healthcheck!;
        Assert.Equal(["CMD-SHELL", "curl -f http://localhost/"], h.Test);
        Assert.Equal(5_000_000_000, h.Interval);
        Assert.Equal(3, h.Retries);
        Assert.Equal(["CMD", "true"], Apply("HEALTHCHECK CMD [\"true\"]").Healthcheck!.Test);
        Assert.Equal(["NONE"], Apply("HEALTHCHECK NONE").Healthcheck!.Test);
    }

    [Fact]
    public void MultiLineChangeAndContinuations()
    {
        var config = Apply("# comment\nENV A=1 \\\n  B=2\n\nUSER root");
        Assert.Equal(["A=1", "B=2"], config.Env);
        Assert.Equal("root", config.User);
    }

    [Theory]
    [InlineData("RUN echo", "run is not a valid change command")]
    [InlineData("FROM busybox", "from is not a valid change command")]
    [InlineData("STOPSIGNAL NOPE", "Invalid signal: NOPE")]
    [InlineData("USER a b", "USER requires exactly one argument")]
    [InlineData("ENV A", "ENV must have two arguments")]
    [InlineData("ENV A=1 B", "Syntax error - can't find = in \"B\". Must be of the form: name=value")]
    [InlineData("EXPOSE 80/foo", "invalid proto: foo")]
    [InlineData("EXPOSE abc", "invalid containerPort: abc")]
    [InlineData("ONBUILD ONBUILD RUN x", "Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed")]
    [InlineData("ONBUILD FROM x", "FROM isn't allowed as an ONBUILD trigger")]
    [InlineData("HEALTHCHECK FOO x", "Unknown type \"FOO\" in HEALTHCHECK (try CMD)")]
    [InlineData("HEALTHCHECK --retries=-1 CMD x", "--retries cannot be negative (-1)")]
    [InlineData("VOLUME [\"\"]", "VOLUME specified can not be an empty string")]
    public void Errors_AreInvalidParameterWithDockerdText(string change, string message)
    {
        var error = Assert.Throws<DaemonException>(() => Apply(change));
        Assert.Equal(ErrorKind.InvalidParameter, error.Kind);
        Assert.Equal(message, error.Message);
    }

    [Fact]
    public void InvalidCommandIsReportedBeforeAnyIsApplied()
    {
        var config = new RunConfig();
        Assert.Throws<DaemonException>(() => ImportChanges.Apply(config, ["USER root", "RUN x"]));
        Assert.Equal("", config.User);
    }
}
