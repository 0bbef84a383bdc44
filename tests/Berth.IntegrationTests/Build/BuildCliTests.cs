using System.Text.RegularExpressions;
using Berth.IntegrationTests.Containers;
using Berth.IntegrationTests.Harness;

namespace Berth.IntegrationTests.Build;

/// <summary>docker build (DOCKER_BUILDKIT=0, the classic builder protocol) with the real CLI.</summary>
public sealed partial class BuildCliTests : CliTestBase<BerthDaemon>, IClassFixture<BerthDaemon>, IAsyncLifetime
{
    private const string MultiStage = """
        ARG GREETING=hello
        FROM busybox AS build
        ARG GREETING
        WORKDIR /src
        COPY message.txt ./
        RUN echo "$GREETING from $(cat message.txt)" > /out.txt && mkdir -p /app && cp /out.txt /app/
        FROM busybox
        ENV APP_HOME=/app MODE=prod
        WORKDIR $APP_HOME
        COPY --from=build /app/out.txt ./greeting.txt
        COPY data/ ./data/
        RUN echo "worker:x:1234:1234::/app:/bin/sh" >> /etc/passwd && chown -R worker /app
        USER worker
        HEALTHCHECK --interval=5s CMD test -f /app/greeting.txt
        ENTRYPOINT ["sh", "-c"]
        CMD ["cat greeting.txt data/*; id -u; echo $MODE; pwd"]
        """;

    public BuildCliTests(BerthDaemon daemon, ITestOutputHelper output) : base(daemon, output)
    {
        Docker.Environment["DOCKER_BUILDKIT"] = "0";
    }

    public Task InitializeAsync() => ContainerTestSupport.EnsureBusyboxAsync(Docker);

    public Task DisposeAsync() => ContainerTestSupport.RemoveAllAndCheckCleanAsync(Daemon, Docker);

    private string Context(string dockerfile, params (string Path, string Content)[] files)
    {
        string dir = Path.Combine(ScratchDir, "ctx-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "Dockerfile"), dockerfile);
        foreach (var (path, content) in files)
        {
            string full = Path.Combine(dir, path);
            Directory.CreateDirectory(Path.GetDirectoryName(full)!);
            File.WriteAllText(full, content);
        }
        return dir;
    }

    [Fact]
    public async Task MultiStageBuild_RunsAsWritten_AndRebuildTakesTheCache()
    {
        string ctx = Context(MultiStage, ("message.txt", "berth"), ("data/a.txt", "A\n"), ("data/secret.key", "nope"), (".dockerignore", "data/*.key\n"));
        var first = await Build("build", "-t", "built:one", "--build-arg", "GREETING=hi", ctx);
        Assert.True(first.ExitCode == 0, first.Stdout + first.Stderr);
        Assert.Contains("Step 1/16 : ARG GREETING=hello", first.Stdout, StringComparison.Ordinal);
        Assert.Matches("Successfully built [0-9a-f]{12}", first.Stdout);
        Assert.Contains("Successfully tagged built:one", first.Stdout, StringComparison.Ordinal);

        string run = await Docker.RunOkAsync("run", "--rm", "built:one");
        Assert.Equal("hi from berth\nA\n1234\nprod\n/app\n", run);
        var missing = await Docker.RunAsync("run", "--rm", "--entrypoint", "ls", "built:one", "/app/data");
        Assert.Equal("a.txt\n", missing.Stdout); // .dockerignore kept the key out
        string health = await Docker.RunOkAsync("image", "inspect", "-f", "{{json .Config.Healthcheck.Test}}", "built:one");
        Assert.Equal("[\"CMD-SHELL\",\"test -f /app/greeting.txt\"]\n", health);

        var second = await Build("build", "-t", "built:two", "--build-arg", "GREETING=hi", ctx);
        Assert.True(second.ExitCode == 0, second.Stdout + second.Stderr);
        // Every step after each FROM and the meta ARG comes from the cache.
        Assert.Equal(13, UsingCache().Count(second.Stdout));
        Assert.Equal(ImageId(first.Stdout), ImageId(second.Stdout));

        File.WriteAllText(Path.Combine(ctx, "data", "a.txt"), "B\n");
        var third = await Build("build", "-t", "built:three", "--build-arg", "GREETING=hi", ctx);
        Assert.True(third.ExitCode == 0, third.Stdout + third.Stderr);
        Assert.Equal(7, UsingCache().Count(third.Stdout)); // from COPY data/ on, rebuilt
        Assert.Equal("hi from berth\nB\n1234\nprod\n/app\n", await Docker.RunOkAsync("run", "--rm", "built:three"));

        string history = await Docker.RunOkAsync("history", "--no-trunc", "--format", "{{.CreatedBy}}", "built:three");
        Assert.Contains("worker:x:1234:1234::/app:/bin/sh", history, StringComparison.Ordinal);
        Assert.Contains("#(nop)  USER worker", history, StringComparison.Ordinal);
        Assert.Contains("COPY dir:", history, StringComparison.Ordinal);

        // The cache shows in system df and goes with builder prune; the images stay.
        Assert.Matches("(?m)^Build Cache [1-9][0-9]*$", await Docker.RunOkAsync("system", "df", "--format", "{{.Type}} {{.TotalCount}}"));
        await Docker.RunOkAsync("builder", "prune", "-af");
        Assert.Matches("(?m)^Build Cache 0$", await Docker.RunOkAsync("system", "df", "--format", "{{.Type}} {{.TotalCount}}"));
        Assert.True((await Docker.RunAsync("image", "inspect", "built:three")).Succeeded);
    }

    [Fact]
    public async Task FailingRun_GivesItsExitCode_AndTagsNothing()
    {
        string ctx = Context("FROM busybox\nRUN echo before\nRUN sh -c 'exit 7'\nCMD true\n");
        var result = await Build("build", "-t", "broken:1", ctx);
        Assert.Equal(7, result.ExitCode);
        Assert.Contains("The command '/bin/sh -c sh -c 'exit 7'' returned a non-zero code: 7", result.Stderr, StringComparison.Ordinal);
        Assert.False((await Docker.RunAsync("image", "inspect", "broken:1")).Succeeded);
    }

    [Theory]
    [InlineData("FROM busybox\nFOO bar\n", "Dockerfile parse error line 2: unknown instruction: FOO")]
    [InlineData("FROM busybox\nCOPY ../outside /x\n", "Forbidden path outside the build context: ../outside ()")]
    [InlineData("FROM busybox\nCOPY nothere /x\n", "COPY failed: file not found in build context or excluded by .dockerignore: stat nothere: file does not exist")]
    public async Task BadDockerfiles_AreClearErrors(string dockerfile, string message)
    {
        string ctx = Context(dockerfile);
        var result = await Build("build", "-t", "bad:1", ctx);
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains(message, result.Stderr + result.Stdout, StringComparison.Ordinal);
        Assert.False((await Docker.RunAsync("image", "inspect", "bad:1")).Succeeded);
    }

    [Fact]
    public async Task DockerfileFromStdin_AndNoCache()
    {
        var result = await Docker.RunWithInputAsync("FROM busybox\nLABEL a=b\nRUN echo built > /f\n", "build", "-t", "stdin:1", "-");
        Assert.True(result.ExitCode == 0, result.Stdout + result.Stderr);
        Assert.Equal("built\n", await Docker.RunOkAsync("run", "--rm", "stdin:1", "cat", "/f"));
        var again = await Docker.RunWithInputAsync("FROM busybox\nLABEL a=b\nRUN echo built > /f\n", "build", "--no-cache", "-t", "stdin:2", "-");
        Assert.True(again.ExitCode == 0, again.Stdout + again.Stderr);
        Assert.DoesNotContain("Using cache", again.Stdout, StringComparison.Ordinal);
    }

    private Task<ProcessResult> Build(params string[] args) => Docker.RunWithTimeoutAsync(TimeSpan.FromMinutes(3), args);

    private static string ImageId(string output) => BuiltId().Match(output).Groups[1].Value;

    [GeneratedRegex(" ---> Using cache")]
    private static partial Regex UsingCache();

    [GeneratedRegex("Successfully built ([0-9a-f]{12})")]
    private static partial Regex BuiltId();
}
