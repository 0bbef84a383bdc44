using System.Text.Json;
using Berth.IntegrationTests.Harness;

namespace Berth.IntegrationTests.Containers;

/// <summary>docker commit (layer from the upper directory, --change, --message, --author) and docker diff.</summary>
public sealed class CommitTests : CliTestBase<BerthDaemon>, IClassFixture<BerthDaemon>, IAsyncLifetime
{
    public CommitTests(BerthDaemon daemon, ITestOutputHelper output) : base(daemon, output)
    {
    }

    public Task InitializeAsync() => ContainerTestSupport.EnsureBusyboxAsync(Docker);

    public async Task DisposeAsync() => await ContainerTestSupport.RemoveAllAndCheckCleanAsync(Daemon, Docker);

    [Fact]
    public async Task Commit_WithChange_RunsTheNewCommand_OnTheNewLayer()
    {
        await Docker.RunOkAsync("run", "--name", "cm-src", "busybox", "sh", "-c", "echo committed > /f && rm /etc/group && mkdir -p /newdir");
        string diff = await Docker.RunOkAsync("diff", "cm-src");
        Assert.Contains("A /f", diff, StringComparison.Ordinal);
        Assert.Contains("D /etc/group", diff, StringComparison.Ordinal);
        Assert.Contains("C /etc", diff, StringComparison.Ordinal);
        Assert.Contains("A /newdir", diff, StringComparison.Ordinal);

        string id = (await Docker.RunOkAsync("commit", "--change", "CMD [\"cat\",\"/f\"]", "--change", "ENV COMMITTED=yes",
            "-m", "the message", "-a", "someone", "cm-src", "cm-image:v1")).Trim();
        Assert.StartsWith("sha256:", id, StringComparison.Ordinal);
        Assert.Equal("committed\n", await Docker.RunOkAsync("run", "--rm", "cm-image:v1"));
        Assert.Equal("yes\n", await Docker.RunOkAsync("run", "--rm", "cm-image:v1", "sh", "-c", "echo $COMMITTED; test -e /etc/group || true"));
        Assert.NotEqual(0, (await Docker.RunAsync("run", "--rm", "cm-image:v1", "test", "-e", "/etc/group")).ExitCode);

        using var inspect = JsonDocument.Parse(await Docker.RunOkAsync("image", "inspect", "cm-image:v1"));
        JsonElement image = inspect.RootElement[0];
        Assert.Equal("the message", image.GetProperty("Comment").GetString());
        Assert.Equal("someone", image.GetProperty("Author").GetString());
        Assert.Equal(2, image.GetProperty("RootFS").GetProperty("Layers").GetArrayLength());
        string history = await Docker.RunOkAsync("history", "--no-trunc", "--format", "{{.CreatedBy}}|{{.Comment}}", "cm-image:v1");
        Assert.StartsWith("sh -c echo committed", history, StringComparison.Ordinal);
        Assert.Contains("|the message", history, StringComparison.Ordinal);

        // Nothing changed: no new layer, an empty_layer history entry.
        await Docker.RunOkAsync("create", "--name", "cm-empty", "cm-image:v1");
        await Docker.RunOkAsync("commit", "cm-empty", "cm-image:v2");
        Assert.Equal("2", (await Docker.RunOkAsync("image", "inspect", "-f", "{{len .RootFS.Layers}}", "cm-image:v2")).Trim());
        Assert.Equal("", (await Docker.RunOkAsync("diff", "cm-empty")).Trim());

        var bad = await Docker.RunAsync("commit", "--change", "RUN echo no", "cm-src");
        Assert.NotEqual(0, bad.ExitCode);
        Assert.Contains("run", bad.Stderr, StringComparison.OrdinalIgnoreCase);
        await Docker.RunOkAsync("rm", "cm-src", "cm-empty");
        await Docker.RunOkAsync("rmi", "cm-image:v1", "cm-image:v2");
    }

    [Fact]
    public async Task Commit_OfARunningContainer_PausesIt_AndEmitsCommitEvent()
    {
        await Docker.RunOkAsync("run", "-d", "--name", "cm-live", "busybox", "sh", "-c", "echo live > /live; sleep 300");
        await Poll.UntilAsync(async () => (await Docker.RunAsync("diff", "cm-live")).Stdout.Contains("/live", StringComparison.Ordinal),
            TimeSpan.FromSeconds(10), "file written");
        string since = DateTimeOffset.UtcNow.AddSeconds(-1).ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
        await Docker.RunOkAsync("commit", "cm-live", "cm-live-image");
        Assert.Equal("true\n", await Docker.RunOkAsync("inspect", "-f", "{{.State.Running}}", "cm-live"));
        Assert.Equal("live\n", await Docker.RunOkAsync("run", "--rm", "cm-live-image", "cat", "/live"));
        string until = DateTimeOffset.UtcNow.AddSeconds(2).ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
        string events = await Docker.RunOkAsync("events", "--since", since, "--until", until, "--filter", "event=commit", "--format", "{{.Action}} {{.Actor.Attributes.imageRef}}");
        Assert.Contains("commit cm-live-image:latest", events, StringComparison.Ordinal);
        await Docker.RunOkAsync("rm", "-f", "cm-live");
        await Docker.RunOkAsync("rmi", "cm-live-image");
    }
}
