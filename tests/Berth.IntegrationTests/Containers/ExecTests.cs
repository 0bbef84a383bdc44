using System.Globalization;
using System.Text.Json;
using Berth.IntegrationTests.Harness;
using Docker.DotNet.Models;

namespace Berth.IntegrationTests.Containers;

/// <summary>docker exec end to end (conmon -e + runc exec), with the real CLI, raw HTTP and Docker.DotNet.</summary>
public sealed class ExecTests : CliTestBase<BerthDaemon>, IClassFixture<BerthDaemon>, IAsyncLifetime
{
    public ExecTests(BerthDaemon daemon, ITestOutputHelper output)
        : base(daemon, output)
    {
    }

    public Task InitializeAsync() => ContainerTestSupport.EnsureBusyboxAsync(Docker);

    public Task DisposeAsync() => ContainerTestSupport.RemoveAllAndCheckCleanAsync(Daemon, Docker);

    private async Task<string> RunSleeperAsync(string name, params string[] options) =>
        (await Docker.RunOkAsync(["run", "-d", "--name", name, .. options, "busybox", "sleep", "300"])).Trim();

    [Fact]
    public async Task Exec_OutputExitCodesUserEnvWorkdir()
    {
        await RunSleeperAsync("ex-basic");
        Assert.Equal("hi\n", await Docker.RunOkAsync("exec", "ex-basic", "echo", "hi"));
        Assert.Equal(5, (await Docker.RunAsync("exec", "ex-basic", "sh", "-c", "exit 5")).ExitCode);
        var both = await Docker.RunAsync("exec", "ex-basic", "sh", "-c", "echo out; echo err >&2");
        Assert.Equal(("out\n", "err\n"), (both.Stdout, both.Stderr));
        // A uid without a passwd entry runs with gid 0, as with dockerd.
        Assert.Equal("uid=1000 gid=0(root) groups=0(root)\n", await Docker.RunOkAsync("exec", "-u", "1000", "ex-basic", "id"));
        Assert.Equal("65534\n", await Docker.RunOkAsync("exec", "-u", "nobody", "ex-basic", "id", "-u"));
        Assert.Equal("b\n", await Docker.RunOkAsync("exec", "-e", "A=b", "ex-basic", "sh", "-c", "echo $A"));
        Assert.Equal("/tmp\n", await Docker.RunOkAsync("exec", "-w", "/tmp", "ex-basic", "pwd"));
        string env = await Docker.RunOkAsync("exec", "ex-basic", "env");
        Assert.Contains("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\n", env, StringComparison.Ordinal);
        Assert.Contains("HOME=/root\n", env, StringComparison.Ordinal);
        Assert.DoesNotContain("TERM=", env, StringComparison.Ordinal);
        Assert.Contains("HOME=/nonexistent\n", await Docker.RunOkAsync("exec", "-u", "nobody", "ex-basic", "env"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Exec_ContainerUserWorkdirAndEnvAreTheDefaults()
    {
        await RunSleeperAsync("ex-defaults", "-u", "nobody", "-w", "/tmp", "-e", "FROM=container");
        Assert.Equal("65534 /tmp container\n", await Docker.RunOkAsync("exec", "ex-defaults", "sh", "-c", "echo $(id -u) $(pwd) $FROM"));
        Assert.Equal("0 exec\n", await Docker.RunOkAsync("exec", "-u", "0", "-e", "FROM=exec", "ex-defaults", "sh", "-c", "echo $(id -u) $FROM"));
        string ids = (await Docker.RunOkAsync("inspect", "-f", "{{json .ExecIDs}}", "ex-defaults")).Trim();
        Assert.Equal("null", ids); // finished execs are not listed
    }

    [Fact]
    public async Task Exec_StdinIsPiped_AndHalfCloseKeepsTheOutput()
    {
        await RunSleeperAsync("ex-stdin");
        for (int i = 0; i < 20; i++)
        {
            Assert.Equal($"data{i}\n", (await Docker.RunWithInputAsync($"data{i}\n", "exec", "-i", "ex-stdin", "cat")).EnsureSuccess().Stdout);
        }
        string big = string.Concat(Enumerable.Repeat("0123456789abcdef", 8192)); // 128 KiB: more than one conmon message
        Assert.Equal(big.Length.ToString(CultureInfo.InvariantCulture),
            (await Docker.RunWithInputAsync(big, "exec", "-i", "ex-stdin", "sh", "-c", "wc -c | tr -d ' '")).EnsureSuccess().Stdout.Trim());
    }

    [Fact]
    public async Task Exec_Tty_ThroughScript()
    {
        await RunSleeperAsync("ex-tty");
        string command = $"stty rows 30 cols 100; {Docker.Executable} -H {Daemon.Host} exec -it ex-tty sh -c 'tty; stty -a | head -1; echo $TERM'";
        var result = await ProcessRunner.RunAsync("script", ["-qfec", command, "/dev/null"], "",
            new Dictionary<string, string?> { ["DOCKER_CONFIG"] = Docker.ConfigDir }, TimeSpan.FromSeconds(60));
        Assert.Equal(0, result.ExitCode);
        Assert.Contains("/dev/pts/", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("rows 30; columns 100;", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("xterm\r\n", result.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("resize", result.Stdout, StringComparison.OrdinalIgnoreCase); // the CLI resizes right after the start
        // -t without -i: raw output, CRLF from the terminal.
        Assert.Equal("a\r\nb\r\n", await Docker.RunOkAsync("exec", "-t", "ex-tty", "sh", "-c", "echo a; echo b"));
    }

    [Fact]
    public async Task Exec_DetachKeys_LeaveTheProcessRunning()
    {
        string id = await RunSleeperAsync("ex-keys");
        long since = DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 1;
        // The CLI spots its detach keys itself and hangs up ("read escape sequence", exit 1, as
        // with dockerd 20.10); the process runs on.
        string command = $"{Docker.Executable} -H {Daemon.Host} exec -it --detach-keys ctrl-a,x ex-keys sh -c 'exec sleep 301'";
        var result = await ProcessRunner.RunAsync("script", ["-qfec", command, "/dev/null"], "\u0001x",
            new Dictionary<string, string?> { ["DOCKER_CONFIG"] = Docker.ConfigDir }, TimeSpan.FromSeconds(60));
        Assert.True(result.ExitCode == 1 && result.Stdout.Contains("read escape sequence", StringComparison.Ordinal), result.ToString());
        await Poll.UntilAsync(async () => (await Docker.RunOkAsync("exec", "ex-keys", "ps")).Contains("sleep 301", StringComparison.Ordinal),
            TimeSpan.FromSeconds(20), "the detached exec runs on");
        Assert.Equal(1, JsonDocument.Parse(await Docker.RunOkAsync("inspect", "-f", "{{json .ExecIDs}}", "ex-keys")).RootElement.GetArrayLength());

        // An API client that sends the keys: the daemon ends the stream and records exec_detach.
        using var http = Daemon.Http();
        string execId = (await http.PostJsonAsync("/containers/ex-keys/exec",
            """{"Cmd":["sh","-c","echo started; exec sleep 302"],"Tty":true,"AttachStdin":true,"AttachStdout":true,"DetachKeys":"ctrl-a,x"}"""))
            .Json().GetProperty("Id").GetString()!;
        const string body = """{"Detach":false,"Tty":true}""";
        string reply = await http.SendRawAsync(
            $"POST /v1.44/exec/{execId}/start HTTP/1.1\r\nHost: berth\r\nContent-Type: application/json\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n" +
            $"Content-Length: {body.Length}\r\n\r\n{body}\u0001x", TimeSpan.FromSeconds(30));
        Assert.StartsWith("HTTP/1.1 101", reply, StringComparison.Ordinal);
        Assert.True((await http.GetAsync($"/exec/{execId}/json")).Json().GetProperty("Running").GetBoolean());
        await Poll.UntilAsync(async () => (await Events(since, id)).Contains("exec_detach"), TimeSpan.FromSeconds(20), "exec_detach event");
    }

    [Fact]
    public async Task Exec_Detached_RunsOn_AndEventsFollowDockerd()
    {
        string id = await RunSleeperAsync("ex-detach");
        long since = DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 1;
        Assert.Equal("", await Docker.RunOkAsync("exec", "-d", "ex-detach", "sh", "-c", "sleep 0.2; echo done > /tmp/flag"));
        await Poll.UntilAsync(async () => (await Docker.RunAsync("exec", "ex-detach", "cat", "/tmp/flag")).Stdout == "done\n",
            TimeSpan.FromSeconds(20), "the detached exec wrote its file");
        Assert.Equal(4, (await Docker.RunAsync("exec", "ex-detach", "sh", "-c", "exit 4")).ExitCode);
        await Poll.UntilAsync(async () => (await Events(since, id)).Count(l => l.StartsWith("exec_die", StringComparison.Ordinal)) >= 3,
            TimeSpan.FromSeconds(20), "exec_die events");
        List<string> events = await Events(since, id);
        Assert.Contains("exec_create: sh -c sleep 0.2; echo done > /tmp/flag", events);
        Assert.Contains("exec_start: sh -c sleep 0.2; echo done > /tmp/flag", events);
        Assert.Contains("exec_create: sh -c exit 4", events);
        Assert.Contains("exec_die 4", events);
        Assert.Contains("exec_die 0", events);
    }

    private async Task<List<string>> Events(long since, string containerId)
    {
        string until = (DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 1).ToString(CultureInfo.InvariantCulture);
        string text = await Docker.RunOkAsync("events", "--since", since.ToString(CultureInfo.InvariantCulture), "--until", until,
            "--filter", "container=" + containerId, "--format", "{{.Action}}{{if .Actor.Attributes.exitCode}} {{.Actor.Attributes.exitCode}}{{end}}");
        return [.. text.Split('\n', StringSplitOptions.RemoveEmptyEntries)];
    }

    [Fact]
    public async Task Exec_StartErrors_Exit126_WithDockerdsText()
    {
        await RunSleeperAsync("ex-errors");
        var missing = await Docker.RunAsync("exec", "ex-errors", "nonexistent");
        Assert.Equal(126, missing.ExitCode);
        // dockerd writes the error into the hijacked stream: it arrives on stdout.
        Assert.Equal("OCI runtime exec failed: exec failed: unable to start container process: exec: \"nonexistent\": executable file not found in $PATH: unknown\r\n",
            missing.Stdout);
        var denied = await Docker.RunAsync("exec", "ex-errors", "/etc/passwd");
        Assert.Equal(126, denied.ExitCode);
        Assert.Contains("permission denied", denied.Stdout, StringComparison.Ordinal);
        var user = await Docker.RunAsync("exec", "-u", "nosuch", "ex-errors", "true");
        Assert.Equal(126, user.ExitCode);
        Assert.Contains("unable to find user nosuch: no matching entries in passwd file", user.Stdout, StringComparison.Ordinal);
        var workdir = await Docker.RunAsync("exec", "-w", "/nonexistent", "ex-errors", "pwd");
        Assert.Equal(126, workdir.ExitCode);
        Assert.Contains("no such file or directory", workdir.Stdout, StringComparison.Ordinal);
        // -d gets the error as the HTTP answer.
        var detached = await Docker.RunAsync("exec", "-d", "ex-errors", "nonexistent");
        Assert.NotEqual(0, detached.ExitCode);
        Assert.Contains("executable file not found in $PATH", detached.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Exec_ApiErrors_AsDockerd()
    {
        string stopped = (await Docker.RunOkAsync("create", "--name", "ex-stopped", "busybox", "true")).Trim();
        var notRunning = await Docker.RunAsync("exec", "ex-stopped", "true");
        Assert.Equal(1, notRunning.ExitCode);
        Assert.Contains($"Container {stopped} is not running", notRunning.Stderr, StringComparison.Ordinal);

        using var http = Daemon.Http();
        var noCmd = await http.PostJsonAsync("/containers/ex-stopped/exec", "{}");
        Assert.Equal((400, "No exec command specified"), (noCmd.StatusCode, noCmd.Message));
        var conflict = await http.PostJsonAsync("/containers/ex-stopped/exec", """{"Cmd":["true"]}""");
        Assert.Equal((409, $"Container {stopped} is not running"), (conflict.StatusCode, conflict.Message));
        var unknown = await http.GetAsync("/exec/nope/json");
        Assert.Equal((404, "No such exec instance: nope"), (unknown.StatusCode, unknown.Message));
        Assert.Equal(404, (await http.PostJsonAsync("/exec/nope/start", """{"Detach":true}""")).StatusCode);
        Assert.Equal(404, (await http.PostJsonAsync("/exec/nope/resize?h=1&w=1", "")).StatusCode);

        await RunSleeperAsync("ex-api");
        var keys = await http.PostJsonAsync("/containers/ex-api/exec", """{"Cmd":["true"],"DetachKeys":"ctrl-1"}""");
        Assert.Equal((500, "Invalid escape keys (ctrl-1) provided"), (keys.StatusCode, keys.Message));
        string execId = (await http.PostJsonAsync("/containers/ex-api/exec", """{"Cmd":["sh","-c","exit 3"]}""")).Json().GetProperty("Id").GetString()!;
        var badSize = await http.PostJsonAsync($"/exec/{execId}/resize?h=x&w=1", "");
        Assert.Equal((400, "strconv.Atoi: parsing \"x\": invalid syntax"), (badSize.StatusCode, badSize.Message));
        Assert.Equal(200, (await http.PostJsonAsync($"/exec/{execId}/start", """{"Detach":true}""")).StatusCode);
        await Poll.UntilAsync(async () => (await http.GetAsync($"/exec/{execId}/json")).Json().GetProperty("ExitCode").ValueKind == JsonValueKind.Number,
            TimeSpan.FromSeconds(20), "the exec's exit code");
        var twice = await http.PostJsonAsync($"/exec/{execId}/start", """{"Detach":true}""");
        Assert.Equal((409, $"Error: Exec command {execId} has already run"), (twice.StatusCode, twice.Message));
        var exited = await http.PostJsonAsync($"/exec/{execId}/resize?h=10&w=10", "");
        Assert.Equal((404, "no such exec"), (exited.StatusCode, exited.Message));
    }

    [Fact]
    public async Task Exec_DockerDotNet_CreateInspectStartAttached()
    {
        string id = await RunSleeperAsync("ex-dotnet");
        using var client = Daemon.CreateClient();
        var created = await client.Exec.CreateContainerExecAsync(id, new ContainerExecCreateParameters
        {
            Cmd = ["sh", "-c", "echo out; echo err >&2; exit 3"],
            AttachStdout = true,
            AttachStderr = true,
            User = "nobody",
        });
        var before = await client.Exec.InspectContainerExecAsync(created.ID);
        Assert.False(before.Running);
        Assert.Equal(0, before.Pid);
        Assert.Equal(id, before.ContainerID);
        ExecProcessConfig process = before.ProcessConfig!;
        Assert.Equal("sh", process.Entrypoint);
        Assert.Equal(new[] { "-c", "echo out; echo err >&2; exit 3" }, process.Arguments);
        Assert.Equal("nobody", process.User);
        Assert.Contains(created.ID, (await client.Containers.InspectContainerAsync(id)).ExecIDs);

        // Docker.DotNet sends the start body with "Connection: Upgrade", as the CLI does.
        using (var stream = await client.Exec.StartContainerExecAsync(created.ID, new ContainerExecStartParameters()))
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            (string stdout, string stderr) = await stream.ReadOutputToEndAsync(cts.Token);
            Assert.Equal(("out\n", "err\n"), (stdout, stderr));
        }
        var after = await client.Exec.InspectContainerExecAsync(created.ID);
        Assert.False(after.Running);
        Assert.Equal(3, after.ExitCode);
        Assert.True(after.Pid > 0);
        Assert.Null((await client.Containers.InspectContainerAsync(id)).ExecIDs);
    }

    [Fact]
    public async Task Exec_ContainerStop_EndsRunningExecs_AndLeavesNothingBehind()
    {
        string id = await RunSleeperAsync("ex-stop");
        await Docker.RunOkAsync("exec", "-d", "ex-stop", "sleep", "300");
        using var http = Daemon.Http();
        string created = (await http.PostJsonAsync("/containers/ex-stop/exec", """{"Cmd":["true"]}""")).Json().GetProperty("Id").GetString()!;
        string ids = await Docker.RunOkAsync("inspect", "-f", "{{json .ExecIDs}}", "ex-stop");
        Assert.Equal(2, JsonDocument.Parse(ids).RootElement.GetArrayLength());
        Assert.Contains(created, ids, StringComparison.Ordinal);
        await Docker.RunOkAsync("kill", "ex-stop");
        Assert.Equal("137", (await Docker.RunOkAsync("wait", "ex-stop")).Trim());
        Assert.Equal("null", (await Docker.RunOkAsync("inspect", "-f", "{{json .ExecIDs}}", id)).Trim());
        // dockerd forgets execs that never finished when their container stops.
        Assert.Equal(404, (await http.GetAsync($"/exec/{created}/json")).StatusCode);
        await Docker.RunOkAsync("rm", "ex-stop");
        await ContainerTestSupport.AssertNoLeftoversAsync(Daemon);
        string sessions = Path.Combine(Daemon.ExecRoot, "exec");
        await Poll.UntilAsync(() => !Directory.EnumerateFileSystemEntries(sessions).Any(), TimeSpan.FromSeconds(10), "exec session dirs removed",
            () => string.Join("\n", Directory.EnumerateFileSystemEntries(sessions)));
    }

    [Fact]
    public async Task Exec_Privileged_GetsTheDaemonsCapabilities()
    {
        await RunSleeperAsync("ex-priv");
        string plain = await Docker.RunOkAsync("exec", "ex-priv", "grep", "CapEff", "/proc/self/status");
        string privileged = await Docker.RunOkAsync("exec", "--privileged", "ex-priv", "grep", "CapEff", "/proc/self/status");
        Assert.Equal("CapEff:\t00000000a80425fb\n", plain); // Docker's default set
        Assert.NotEqual(plain, privileged);
        string bounding = File.ReadAllLines("/proc/self/status").Single(l => l.StartsWith("CapBnd:", StringComparison.Ordinal))["CapBnd:".Length..].Trim();
        Assert.Equal("CapEff:\t" + bounding + "\n", privileged);
    }
}
