using System.Text.Json;
using Berth.IntegrationTests.Harness;

namespace Berth.IntegrationTests.Containers;

/// <summary>A [Fact] that is skipped when crun is not installed at /usr/bin/crun.</summary>
public sealed class CrunFactAttribute : FactAttribute
{
    public const string Crun = "/usr/bin/crun";

    public CrunFactAttribute()
    {
        if (!File.Exists(Crun))
        {
            Skip = $"{Crun} is not installed (scripts/install-deps.sh installs it)";
        }
    }
}

/// <summary>A daemon with crun added next to the stock runc.</summary>
public sealed class CrunDaemon : BerthDaemon
{
    public CrunDaemon()
        : base(new BerthDaemonOptions { ExtraArgs = ["--add-runtime", "crun=" + CrunFactAttribute.Crun] })
    {
    }
}

/// <summary>
/// Multiple OCI runtimes (dockerd's --add-runtime, --default-runtime, daemon.json "runtimes"):
/// a container runs on the runtime it names, and every later call for it reaches that runtime
/// with that runtime's own state root.
/// </summary>
public sealed class RuntimeTests(CrunDaemon daemon, ITestOutputHelper output)
    : CliTestBase<CrunDaemon>(daemon, output), IClassFixture<CrunDaemon>, IAsyncLifetime
{
    public Task InitializeAsync() => ContainerTestSupport.EnsureBusyboxAsync(Docker);

    public Task DisposeAsync() => Task.CompletedTask;

    private string CrunState(string id) => Path.Combine(Daemon.ExecRoot, "runtime", "crun", id);

    private string RuncState(string id) => Path.Combine(Daemon.ExecRoot, "runtime", "runc", id);

    [CrunFact]
    public async Task Run_under_crun_prints_and_keeps_exit_codes()
    {
        Assert.Equal("hi\n", await Docker.RunOkAsync("run", "--runtime", "crun", "--rm", "busybox", "echo", "hi"));
        ProcessResult failed = await Docker.RunAsync("run", "--runtime", "crun", "--rm", "busybox", "sh", "-c", "echo out; echo err >&2; exit 7");
        Assert.Equal(7, failed.ExitCode);
        Assert.Equal("out\n", failed.Stdout);
        Assert.Contains("err", failed.Stderr);
        // --init: PID 1 is the init, the command a child of it.
        Assert.Equal("2\n", await Docker.RunOkAsync("run", "--runtime", "crun", "--rm", "--init", "busybox", "sh", "-c", "echo $$"));
    }

    [CrunFact]
    public async Task Detached_crun_container_has_crun_state_exec_logs_and_stop()
    {
        string id = (await Docker.RunOkAsync("run", "-d", "--runtime", "crun", "busybox", "sh", "-c", "echo started; trap 'exit 0' TERM; while true; do sleep 0.1; done")).Trim();
        try
        {
            Assert.Equal("crun", (await Docker.RunOkAsync("inspect", "-f", "{{.HostConfig.Runtime}}", id)).Trim());
            Assert.True(Directory.Exists(CrunState(id)), "crun's state root holds the running container");
            Assert.False(Directory.Exists(RuncState(id)), "runc's state root must not know a crun container");
            Assert.Equal("inside\n", await Docker.RunOkAsync("exec", id, "echo", "inside"));
            Assert.Equal(3, (await Docker.RunAsync("exec", id, "sh", "-c", "exit 3")).ExitCode);
            await Poll.UntilAsync(async () => (await Docker.RunAsync("logs", id)).Stdout.Contains("started", StringComparison.Ordinal),
                TimeSpan.FromSeconds(10), "log line");
            await Docker.RunOkAsync("pause", id);
            Assert.Equal("paused", (await Docker.RunOkAsync("inspect", "-f", "{{.State.Status}}", id)).Trim());
            await Docker.RunOkAsync("unpause", id);
            await Docker.RunOkAsync("stop", "-t", "5", id);
            Assert.Equal("exited 0", (await Docker.RunOkAsync("inspect", "-f", "{{.State.Status}} {{.State.ExitCode}}", id)).Trim());
            // The runtime's state of an exited container goes in the background, off the exit's path.
            await Poll.UntilAsync(() => !Directory.Exists(CrunState(id)), TimeSpan.FromSeconds(10), "crun state deleted after the exit");
            // Started again, it runs on crun again.
            await Docker.RunOkAsync("start", id);
            Assert.True(Directory.Exists(CrunState(id)));
            await Docker.RunOkAsync("kill", id);
        }
        finally
        {
            await Docker.RunAsync("rm", "-f", id);
        }
        await Poll.UntilAsync(() => !Directory.Exists(CrunState(id)), TimeSpan.FromSeconds(10), "crun state deleted");
        await ContainerTestSupport.AssertNoLeftoversAsync(Daemon);
    }

    [CrunFact]
    public async Task Auto_remove_cleans_a_crun_container()
    {
        string id = (await Docker.RunOkAsync("run", "-d", "--rm", "--runtime", "crun", "busybox", "sleep", "30")).Trim();
        Assert.True(Directory.Exists(CrunState(id)));
        await Docker.RunOkAsync("kill", id);
        await Poll.UntilAsync(async () => !(await Docker.RunAsync("inspect", id)).Succeeded, TimeSpan.FromSeconds(20), "auto-removed");
        await Poll.UntilAsync(() => !Directory.Exists(CrunState(id)), TimeSpan.FromSeconds(10), "crun state deleted");
        await ContainerTestSupport.AssertNoLeftoversAsync(Daemon);
    }

    [CrunFact]
    public async Task Default_container_stores_runc_and_containerd_name_runs_on_runc()
    {
        string id = (await Docker.RunOkAsync("create", "busybox", "true")).Trim();
        string alias = (await Docker.RunOkAsync("create", "--runtime", "io.containerd.runc.v2", "busybox", "sleep", "30")).Trim();
        try
        {
            Assert.Equal("runc", (await Docker.RunOkAsync("inspect", "-f", "{{.HostConfig.Runtime}}", id)).Trim());
            Assert.Equal("io.containerd.runc.v2", (await Docker.RunOkAsync("inspect", "-f", "{{.HostConfig.Runtime}}", alias)).Trim());
            await Docker.RunOkAsync("start", alias);
            Assert.True(Directory.Exists(RuncState(alias)));
        }
        finally
        {
            await Docker.RunAsync("rm", "-f", id, alias);
        }
    }

    [CrunFact]
    public async Task Unknown_runtime_is_a_400_and_info_lists_the_runtimes()
    {
        ProcessResult bad = await Docker.RunAsync("create", "--runtime", "kata", "busybox", "true");
        Assert.NotEqual(0, bad.ExitCode);
        Assert.Contains("unknown or invalid runtime name: kata", bad.Stderr);
        using (var http = new HttpClient(new SocketsHttpHandler { ConnectCallback = async (_, ct) => await UnixSockets.ConnectAsync(Daemon.SocketPath, ct) }))
        {
            HttpResponseMessage response = await http.PostAsync("http://berth/containers/create",
                new StringContent("""{"Image": "busybox", "HostConfig": {"Runtime": "kata"}}""", System.Text.Encoding.UTF8, "application/json"));
            Assert.Equal(System.Net.HttpStatusCode.BadRequest, response.StatusCode);
        }

        string info = await Docker.RunOkAsync("info");
        // The CLI prints the runtimes in Go map order: compare them as a set.
        string line = info.Split('\n').Select(l => l.Trim()).Single(l => l.StartsWith("Runtimes: ", StringComparison.Ordinal));
        Assert.Equal(["crun", "runc"], line["Runtimes: ".Length..].Split(' ').Order(StringComparer.Ordinal));
        Assert.Contains("Default Runtime: runc", info);
        JsonElement json = await Daemon.InfoAsync();
        Assert.Equal(CrunFactAttribute.Crun, json.GetProperty("Runtimes").GetProperty("crun").GetProperty("path").GetString());
        Assert.Equal("runc", json.GetProperty("Runtimes").GetProperty("runc").GetProperty("path").GetString());
        Assert.Equal("runc", json.GetProperty("DefaultRuntime").GetString());
    }
}

/// <summary>Daemons of their own: default-runtime, restarts with crun containers, refused configs.</summary>
public sealed class RuntimeConfigTests(ITestOutputHelper output)
{
    [CrunFact]
    public async Task Default_runtime_crun_makes_plain_run_use_crun_and_survives_kill_9()
    {
        await using var daemon = await BerthDaemon.StartNewAsync(output, new BerthDaemonOptions
        {
            DaemonJson = """{"runtimes": {"crun": {"path": "crun"}}, "default-runtime": "crun"}""",
        });
        using var docker = daemon.Cli(output);
        try
        {
            await ContainerTestSupport.EnsureBusyboxAsync(docker);
            Assert.Contains("Default Runtime: crun", await docker.RunOkAsync("info"));
            // A bare path is looked up on PATH; /info shows it as configured.
            Assert.Equal("crun", (await daemon.InfoAsync()).GetProperty("Runtimes").GetProperty("crun").GetProperty("path").GetString());
            Assert.Equal("hi\n", await docker.RunOkAsync("run", "--rm", "busybox", "echo", "hi"));
            string id = (await docker.RunOkAsync("run", "-d", "--name", "kept", "busybox", "sh", "-c", "trap 'exit 5' TERM; while true; do sleep 0.1; done")).Trim();
            Assert.Equal("crun", (await docker.RunOkAsync("inspect", "-f", "{{.HostConfig.Runtime}}", id)).Trim());
            string runcId = (await docker.RunOkAsync("run", "-d", "--runtime", "runc", "busybox", "sleep", "300")).Trim();
            string crunState = Path.Combine(daemon.ExecRoot, "runtime", "crun", id);
            Assert.True(Directory.Exists(crunState));
            int pid = await LifecycleTestSupport.PidOfAsync(docker, "kept");

            daemon.KillHard();
            await daemon.StartAsync();
            Assert.Equal("running 0 0", await LifecycleTestSupport.StateAsync(docker, "kept"));
            Assert.Equal(pid, await LifecycleTestSupport.PidOfAsync(docker, "kept"));
            Assert.Equal("again\n", await docker.RunOkAsync("exec", id, "echo", "again"));
            await docker.RunOkAsync("stop", id);
            Assert.Equal("exited 5 0", await LifecycleTestSupport.StateAsync(docker, "kept"));
            await Poll.UntilAsync(() => !Directory.Exists(crunState), TimeSpan.FromSeconds(10), "crun state deleted after the exit");
            await docker.RunOkAsync("rm", "-f", runcId);
        }
        finally
        {
            await LifecycleTestSupport.CleanUpAsync(daemon, docker);
        }
    }

    [CrunFact]
    public async Task A_container_whose_runtime_left_the_config_fails_to_start_with_an_error()
    {
        await using var daemon = await BerthDaemon.StartNewAsync(output, new BerthDaemonOptions { ExtraArgs = ["--add-runtime", "crun=" + CrunFactAttribute.Crun] });
        using var docker = daemon.Cli(output);
        try
        {
            await ContainerTestSupport.EnsureBusyboxAsync(docker);
            await docker.RunOkAsync("create", "--name", "orphan", "--runtime", "crun", "busybox", "true");
            await daemon.StopAsync();
            daemon.Options.ExtraArgs.Clear();
            await daemon.StartAsync();
            ProcessResult start = await docker.RunAsync("start", "orphan");
            Assert.NotEqual(0, start.ExitCode);
            Assert.Contains("unknown or invalid runtime name: crun", start.Stderr);
            Assert.Equal("created", (await docker.RunOkAsync("inspect", "-f", "{{.State.Status}}", "orphan")).Trim());
            Assert.Equal("ok\n", await docker.RunOkAsync("run", "--rm", "busybox", "echo", "ok"));
        }
        finally
        {
            await LifecycleTestSupport.CleanUpAsync(daemon, docker);
        }
    }

    [Theory]
    [InlineData("""{"default-runtime": "crun"}""", new string[0], "specified default runtime 'crun' does not exist")]
    [InlineData("""{"runtimes": {"crun": {"path": "/usr/bin/crun"}}}""", new[] { "--add-runtime", "crun=/usr/bin/crun" },
        "the following directives are specified both as a flag and in the configuration file: runtimes: (from flag: [crun], from file: map[crun:map[path:/usr/bin/crun]])")]
    [InlineData("""{"runtimes": {"runc": {"path": "/usr/bin/crun"}}}""", new string[0], "runtime name 'runc' is reserved")]
    [InlineData("{}", new[] { "--add-runtime", "runc=/usr/bin/crun" }, "invalid argument \"runc=/usr/bin/crun\" for \"--add-runtime\" flag: runtime name 'runc' is reserved")]
    public async Task Bad_runtime_config_stops_the_daemon(string json, string[] args, string error)
    {
        await using var daemon = BerthDaemon.Create(new BerthDaemonOptions { DaemonJson = json, ExtraArgs = [.. args] }, output);
        DaemonExit exit = await daemon.RunToExitAsync();
        Assert.Equal(1, exit.ExitCode);
        Assert.Contains(error, exit.Stderr + exit.Stdout);
    }
}
