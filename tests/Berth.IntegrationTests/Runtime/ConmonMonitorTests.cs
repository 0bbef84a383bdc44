using System.Text;
using Berth.Engine.Errors;
using Berth.Runtime.Cgroups;
using Berth.Runtime.Monitor;
using Xunit.Abstractions;

namespace Berth.IntegrationTests.Runtime;

[Collection(RuntimeTestGroup.Name)]
public sealed class ConmonMonitorTests(RuntimeFixture fx, ITestOutputHelper output)
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Echo_AttachFramesLogAndExitZero()
    {
        var (id, bundle, state, options) = fx.NewContainer(["sh", "-c", "echo hello; echo oops >&2"]);
        MonitoredContainer c = await CreateAsync(id, bundle, state, options);
        Assert.True(c.Pid > 0);
        await using IContainerAttachment a = await fx.Monitor.AttachAsync(c);
        await fx.Monitor.StartAsync(c);
        var (stdout, stderr) = await ReadAllAsync(a);
        ContainerExit exit = await fx.Monitor.WaitForExitAsync(c).WaitAsync(Limit);
        Assert.Equal("hello\n", stdout);
        Assert.Equal("oops\n", stderr);
        Assert.Equal(0, exit.ExitCode);
        Assert.False(exit.OomKilled);
        string log = await File.ReadAllTextAsync(options.LogPath!);
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}\+00:00 stdout F hello\n", log);
        Assert.Contains(" stderr F oops\n", log, StringComparison.Ordinal);
        await fx.Monitor.CleanupAsync(c);
        Assert.False(Directory.Exists("/sys/fs/cgroup/pids" + options.ContainerCgroup));
        Assert.Null(await fx.Runtime.StateAsync(id));
    }

    [Fact]
    public async Task ExitCode_IsReported()
    {
        var (id, bundle, state, options) = fx.NewContainer(["sh", "-c", "exit 7"], log: false);
        MonitoredContainer c = await CreateAsync(id, bundle, state, options);
        await fx.Monitor.StartAsync(c);
        Assert.Equal(7, (await fx.Monitor.WaitForExitAsync(c).WaitAsync(Limit)).ExitCode);
        Assert.Equal(7, fx.Monitor.TryReadExit(c)!.ExitCode); // files only, as after a restart
        await fx.Monitor.CleanupAsync(c);
    }

    [Fact]
    public async Task Stdin_RoundTripWithHalfClose_LargeMessageChunked()
    {
        var (id, bundle, state, options) = fx.NewContainer(["cat"], stdin: true);
        MonitoredContainer c = await CreateAsync(id, bundle, state, options);
        await using IContainerAttachment a = await fx.Monitor.AttachAsync(c, bufferFrames: 1024);
        await fx.Monitor.StartAsync(c);
        var big = new StringBuilder("hello\n");
        for (int i = 0; big.Length < 100_000; i++)
        {
            big.Append("line ").Append(i).Append(' ').Append('x', 50).Append('\n');
        }
        Task<(string, string)> reader = ReadAllAsync(a);
        await a.WriteInputAsync(Encoding.UTF8.GetBytes(big.ToString()));
        a.CloseInput(); // conmon closes cat's stdin; cat exits
        var (stdout, _) = await reader.WaitAsync(Limit);
        Assert.Equal(big.Length, stdout.Length);
        Assert.Equal(big.ToString(), stdout);
        Assert.Equal(0, (await fx.Monitor.WaitForExitAsync(c).WaitAsync(Limit)).ExitCode);
        await fx.Monitor.CleanupAsync(c);
    }

    [Fact]
    public async Task Tty_OutputIsRawWithCrLf()
    {
        var (id, bundle, state, options) = fx.NewContainer(["sh", "-c", "[ -t 1 ] && echo is-a-tty; exit 3"], tty: true);
        MonitoredContainer c = await CreateAsync(id, bundle, state, options);
        fx.Monitor.Resize(c, 40, 132); // works before start
        await using IContainerAttachment a = await fx.Monitor.AttachAsync(c);
        await fx.Monitor.StartAsync(c);
        var (stdout, stderr) = await ReadAllAsync(a);
        Assert.Contains("is-a-tty\r\n", stdout, StringComparison.Ordinal);
        Assert.Equal("", stderr);
        Assert.Equal(3, (await fx.Monitor.WaitForExitAsync(c).WaitAsync(Limit)).ExitCode);
        await fx.Monitor.CleanupAsync(c);
    }

    [Fact]
    public async Task KillSigkill_Gives137()
    {
        var (id, bundle, state, options) = fx.NewContainer(["sleep", "100"], log: false);
        MonitoredContainer c = await CreateAsync(id, bundle, state, options);
        await fx.Monitor.StartAsync(c);
        Assert.Equal(Berth.Runtime.Oci.OciStatus.Running, (await fx.Runtime.StateAsync(id))!.Status);
        await fx.Runtime.KillAsync(id, 9);
        Assert.Equal(137, (await fx.Monitor.WaitForExitAsync(c).WaitAsync(Limit)).ExitCode);
        await fx.Monitor.CleanupAsync(c);
    }

    [Fact]
    public async Task MissingBinary_SurfacesRuntimeMessage()
    {
        var (id, bundle, state, options) = fx.NewContainer(["/bin/does-not-exist"], log: false);
        var e = await Assert.ThrowsAsync<RuntimeCreateException>(() => fx.Monitor.CreateAsync(id, bundle, state, options));
        output.WriteLine(e.Message);
        Assert.Contains("/bin/does-not-exist", e.RuntimeMessage, StringComparison.Ordinal);
        Assert.Equal(ExecFailureKind.NotFound, e.ExecFailure);
        Assert.Equal(ErrorKind.InvalidParameter, e.Kind);
        Assert.Null(await fx.Runtime.StateAsync(id));
        CgroupFs.Remove(options.MonitorCgroup!, 0);
    }

    [Fact]
    public async Task Exec_AttachedAndDetached()
    {
        var (id, bundle, state, options) = fx.NewContainer(["sleep", "100"], log: false);
        MonitoredContainer c = await CreateAsync(id, bundle, state, options);
        await fx.Monitor.StartAsync(c);

        ExecSession attached = await fx.Monitor.ExecAsync(c, "e" + id,
            new ExecOptions { ProcessJson = fx.ProcessJson(["sh", "-c", "echo hi; exit 3"]), Attach = true });
        Assert.True(attached.Pid > 0);
        var (stdout, _) = await ReadAllAsync(attached.Attachment!);
        Assert.Equal("hi\n", stdout);
        Assert.Equal(3, await attached.ExitCode.WaitAsync(Limit));

        string execLog = Path.Combine(state, "exec-d.log");
        ExecSession detached = await fx.Monitor.ExecAsync(c, "d" + id,
            new ExecOptions { ProcessJson = fx.ProcessJson(["sh", "-c", "echo bg; exit 5"]), LogPath = execLog });
        Assert.Null(detached.Attachment);
        Assert.Equal(5, await detached.ExitCode.WaitAsync(Limit));
        Assert.Contains(" stdout F bg\n", await File.ReadAllTextAsync(execLog), StringComparison.Ordinal);

        var missing = await Assert.ThrowsAsync<RuntimeCreateException>(() => fx.Monitor.ExecAsync(c, "m" + id,
            new ExecOptions { ProcessJson = fx.ProcessJson(["/nope"]), Attach = true }));
        output.WriteLine(missing.Message);
        Assert.Equal(ExecFailureKind.NotFound, missing.ExecFailure);

        await fx.Runtime.KillAsync(id, 9);
        Assert.Equal(137, (await fx.Monitor.WaitForExitAsync(c).WaitAsync(Limit)).ExitCode);
        await fx.Monitor.CleanupAsync(c);
    }

    internal async Task<MonitoredContainer> CreateAsync(string id, string bundle, string state, MonitorCreateOptions options)
    {
        MonitoredContainer c = await fx.Monitor.CreateAsync(id, bundle, state, options).WaitAsync(Limit);
        fx.Track(c);
        return c;
    }

    internal static async Task<(string Stdout, string Stderr)> ReadAllAsync(IContainerAttachment a)
    {
        var stdout = new MemoryStream();
        var stderr = new MemoryStream();
        using var cts = new CancellationTokenSource(Limit);
        await foreach (AttachFrame f in a.Output.ReadAllAsync(cts.Token))
        {
            (f.Stream == ConmonStreamId.Stderr ? stderr : stdout).Write(f.Data.Span);
        }
        return (Encoding.UTF8.GetString(stdout.ToArray()), Encoding.UTF8.GetString(stderr.ToArray()));
    }
}
