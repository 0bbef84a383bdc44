using Berth.IntegrationTests.Containers;
using Berth.IntegrationTests.Harness;

namespace Berth.IntegrationTests.Resilience;

/// <summary>berthd kill -9 while a classic-builder RUN step runs.</summary>
public sealed class KillDuringBuildTests
{
    private readonly ITestOutputHelper _output;

    public KillDuringBuildTests(ITestOutputHelper output)
    {
        _output = output;
    }

    [Fact]
    public async Task BuildCutDuringRun_LeavesNoImageTagOrScratch_AndBuildWorksAfterRestart()
    {
        await using var daemon = await BerthDaemon.StartNewAsync(_output);
        using var docker = daemon.Cli(_output);
        docker.Environment["DOCKER_BUILDKIT"] = "0";
        string ctx = Directory.CreateTempSubdirectory("berth-resil-build-").FullName;
        try
        {
            await ContainerTestSupport.EnsureBusyboxAsync(docker);
            var imagesBefore = await CrashChecks.ImagesAsync(docker);
            var layersBefore = CrashChecks.LayerDirectories(daemon);
            // The RUN waits for a file only the test can create, so the kill lands inside it.
            File.WriteAllText(Path.Combine(ctx, "Dockerfile"), """
                FROM busybox
                COPY payload.txt /payload.txt
                RUN echo started > /started; while [ ! -f /go ]; do sleep 0.1; done; cat /payload.txt > /result
                """);
            File.WriteAllText(Path.Combine(ctx, "payload.txt"), "built\n");
            Task<ProcessResult> build = docker.RunWithTimeoutAsync(TimeSpan.FromMinutes(2), "build", "-t", "resil/built:1", ctx);
            string runner = (await Poll.ForAsync(async () => (await docker.RunOkAsync("ps", "-q", "--no-trunc")).Trim(),
                id => id.Length == 64, TimeSpan.FromSeconds(60), "the RUN step's container running")).Trim();
            await Poll.UntilAsync(async () => (await docker.RunAsync("exec", runner, "test", "-f", "/started")).Succeeded,
                TimeSpan.FromSeconds(30), "the RUN command started");

            await CrashChecks.KillAndRestartAsync(daemon);
            var cut = await build;
            Assert.NotEqual(0, cut.ExitCode);

            // No tag, no image of the cut step (the COPY step's image is complete and may stay as cache).
            Assert.False((await docker.RunAsync("image", "inspect", "resil/built:1")).Succeeded);
            var imagesAfter = await CrashChecks.ImagesAsync(docker);
            Assert.DoesNotContain(imagesAfter, l => l.StartsWith("resil/", StringComparison.Ordinal));
            Assert.True(imagesAfter.Count <= imagesBefore.Count + 1, string.Join("\n", imagesAfter));
            foreach (string line in imagesAfter.Except(imagesBefore))
            {
                string id = line.Split(' ')[1];
                Assert.Contains("COPY", await docker.RunOkAsync("history", "--no-trunc", "--format", "{{.CreatedBy}}", id), StringComparison.Ordinal);
            }
            CrashChecks.AssertNothingHalfDone(daemon);
            // The step's container is a container like any other: consistent in ps -a, removable.
            string state = (await docker.RunAsync("inspect", "-f", "{{.State.Status}}", runner)).Stdout.Trim();
            _output.WriteLine($"RUN container after restart: '{state}'");
            if (state.Length > 0)
            {
                Assert.Contains(state, new[] { "running", "exited" });
                await docker.RunOkAsync("rm", "-f", runner);
            }
            Assert.Equal("", (await docker.RunOkAsync("ps", "-aq")).Trim());

            // The same build runs to the end now.
            File.WriteAllText(Path.Combine(ctx, "Dockerfile"), """
                FROM busybox
                COPY payload.txt /payload.txt
                RUN cat /payload.txt > /result
                """);
            var done = await docker.RunWithTimeoutAsync(TimeSpan.FromMinutes(2), "build", "-t", "resil/built:1", ctx);
            Assert.True(done.ExitCode == 0, done.Stdout + done.Stderr);
            Assert.Equal("built\n", await docker.RunOkAsync("run", "--rm", "--network", "none", "resil/built:1", "cat", "/result"));
            Assert.Equal("", (await docker.RunOkAsync("ps", "-aq")).Trim());
            Assert.True(CrashChecks.LayerDirectories(daemon).IsSupersetOf(layersBefore));
            CrashChecks.AssertNothingHalfDone(daemon);
        }
        finally
        {
            Directory.Delete(ctx, recursive: true);
            await ContainerTestSupport.RemoveAllAndCheckCleanAsync(daemon, docker);
        }
    }
}
