using Berth.IntegrationTests.Harness;

namespace Berth.IntegrationTests.Containers;

/// <summary>An exec-root long enough that &lt;exec-root&gt;/s/&lt;id&gt;/attach exceeds sun_path (108 bytes).</summary>
public sealed class LongExecRootTests(ITestOutputHelper output)
{
    [Fact]
    public async Task AttachedRun_WorksWhenTheAttachSocketPathIsLong()
    {
        var options = new BerthDaemonOptions { OmitFlags = ["--exec-root"] };
        await using var longRoot = BerthDaemon.Create(options, output);
        string execRoot = Path.Combine(longRoot.Root, "an-exec-root-directory-with-a-rather-long-name");
        options.ExtraArgs.AddRange(["--exec-root", execRoot]); // read at launch
        await longRoot.StartAsync();
        using var docker = longRoot.Cli(output);
        try
        {
            Assert.True($"{execRoot}/s/{new string('0', 64)}/attach".Length >= 108);
            await ContainerTestSupport.EnsureBusyboxAsync(docker);
            Assert.Equal("hi\n", await docker.RunOkAsync("run", "--rm", "busybox", "echo", "hi"));
        }
        finally
        {
            await ContainerTestSupport.RemoveAllAndCheckCleanAsync(longRoot, docker);
        }
    }
}
