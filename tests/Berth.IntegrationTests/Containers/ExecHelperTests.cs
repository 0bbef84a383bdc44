using Berth.IntegrationTests.Harness;

namespace Berth.IntegrationTests.Containers;

/// <summary>Skips when the build had no C compiler and so no berth-exec beside berthd.</summary>
internal static class ExecHelperBuilt
{
    public static string? SkipReason =>
        File.Exists(Path.Combine(AppContext.BaseDirectory, "berthd", "berth-exec"))
            ? null
            : "berth-exec was not built (no C compiler; scripts/install-deps.sh installs gcc)";
}

public sealed class ExecHelperFactAttribute : FactAttribute
{
    public ExecHelperFactAttribute() => Skip = ExecHelperBuilt.SkipReason;
}

public sealed class ExecHelperTheoryAttribute : TheoryAttribute
{
    public ExecHelperTheoryAttribute() => Skip = ExecHelperBuilt.SkipReason;
}

/// <summary>
/// berth-exec, which runs plain execs in place of `runc exec`: the process it starts must be
/// the one runc would start. Each test drives a daemon with the helper and one without it
/// (BERTH_EXEC_HELPER=off) through the same docker commands and compares what the process
/// sees of itself. The rest of the exec suite (ExecTests) runs through the helper too.
/// </summary>
public sealed class ExecHelperTests(ITestOutputHelper output) : IAsyncLifetime
{
    // What a process can see of its own credentials, limits, groups, cgroups and namespaces.
    private const string Probe =
        "grep -E '^(Uid|Gid|Groups|Cap(Inh|Prm|Eff|Bnd|Amb)|NoNewPrivs|Seccomp|Seccomp_filters)' /proc/self/status 2>&1; " +
        "echo oom=$(cat /proc/self/oom_score_adj) umask=$(umask) pwd=$(pwd); " +
        "tail -n +2 /proc/self/limits; " +
        "sed 's/[0-9a-f]\\{64\\}/ID/; s/berth-it-[0-9a-f]*/PARENT/' /proc/self/cgroup; " +
        "for n in cgroup ipc mnt net pid uts user; do echo $n $(readlink /proc/1/ns/$n) $(readlink /proc/self/ns/$n); done | awk '{print $1, ($2==$3)?\"shared-with-init\":\"different\"}'; " +
        "env | grep -v ^HOSTNAME= | sort; " +
        // seccomp: user namespaces and keyrings are refused by the default profile, an unknown syscall number is ENOSYS
        "unshare -U true 2>&1 | sed 's/^unshare: //'; ls -l /proc/self/fd | wc -l";

    private BerthDaemon? _helped;
    private BerthDaemon? _plain;

    public async Task InitializeAsync()
    {
        _helped = await BerthDaemon.StartNewAsync(output);
        _plain = await BerthDaemon.StartNewAsync(output, new BerthDaemonOptions { Environment = { ["BERTH_EXEC_HELPER"] = "off" } });
        await Task.WhenAll(ContainerTestSupport.EnsureBusyboxAsync(_helped.Cli(output)), ContainerTestSupport.EnsureBusyboxAsync(_plain.Cli(output)));
    }

    public async Task DisposeAsync()
    {
        foreach (BerthDaemon? daemon in new[] { _helped, _plain })
        {
            if (daemon is not null)
            {
                await ContainerTestSupport.RemoveAllAndCheckCleanAsync(daemon, daemon.Cli(output));
                await daemon.DisposeAsync();
            }
        }
    }

    public static TheoryData<string, string[], string[]> Cases => new()
    {
        { "default", [], [] },
        { "user", ["-u", "1000"], [] },
        { "user-group-env-workdir", ["-u", "1000:1000", "-e", "X=1", "-w", "/tmp"], [] },
        { "root-in-user-container", ["-u", "0"], ["-u", "nobody", "--group-add", "5"] },
        { "privileged", ["--privileged"], [] },
        { "limits-caps-nnp", [], ["--ulimit", "nofile=1000:2000", "--oom-score-adj", "100", "--cap-add", "SYS_PTRACE", "--cap-drop", "CHOWN", "--security-opt", "no-new-privileges"] },
        { "unconfined", [], ["--security-opt", "seccomp=unconfined"] },
    };

    [ExecHelperTheory]
    [MemberData(nameof(Cases))]
    public async Task The_exec_process_is_the_one_runc_starts(string name, string[] execOptions, string[] runOptions)
    {
        string helped = await ProbeAsync(_helped!, name, execOptions, runOptions);
        string plain = await ProbeAsync(_plain!, name, execOptions, runOptions);
        output.WriteLine(helped);
        Assert.Equal(plain, helped);
        Assert.Contains("CapBnd", helped, StringComparison.Ordinal);
        // The helper really ran: it left a compiled program (unless the container has no seccomp); runc did not.
        Assert.False(Directory.Exists(Path.Combine(_plain!.ExecRoot, "seccomp")));
        if (name != "unconfined")
        {
            Assert.NotEmpty(Directory.GetFiles(Path.Combine(_helped!.ExecRoot, "seccomp"), "*.bpf"));
        }
    }

    private async Task<string> ProbeAsync(BerthDaemon daemon, string name, string[] execOptions, string[] runOptions)
    {
        DockerCli docker = daemon.Cli(output);
        await docker.RunOkAsync(["run", "-d", "--name", name, .. runOptions, "busybox", "sleep", "300"]);
        try
        {
            return await docker.RunOkAsync(["exec", .. execOptions, name, "sh", "-c", Probe]);
        }
        finally
        {
            await docker.RunOkAsync("rm", "-f", name);
        }
    }

    [ExecHelperFact]
    public async Task Failures_read_as_runcs()
    {
        foreach (BerthDaemon daemon in new[] { _helped!, _plain! })
        {
            DockerCli docker = daemon.Cli(output);
            await docker.RunOkAsync("run", "-d", "--name", "fail", "busybox", "sleep", "300");
        }
        string[][] commands =
        [
            ["exec", "fail", "nope"],
            ["exec", "fail", "/nope"],
            ["exec", "fail", "/etc/passwd"],
            ["exec", "fail", "/etc"],
            ["exec", "-w", "/nonexistent", "fail", "true"],
            ["exec", "-u", "1000", "-w", "/root", "fail", "pwd"],
        ];
        foreach (string[] command in commands)
        {
            ProcessResult helped = await _helped!.Cli(output).RunAsync(command);
            ProcessResult plain = await _plain!.Cli(output).RunAsync(command);
            Assert.Equal((plain.ExitCode, plain.Stdout, plain.Stderr), (helped.ExitCode, helped.Stdout, helped.Stderr));
        }
    }

    [ExecHelperFact]
    public async Task A_workdir_through_proc_self_fd_never_reaches_the_host()
    {
        // runc's CVE-2024-21626: a descriptor of a host directory left open while the working dir is
        // resolved. berth-exec closes every descriptor but stdio before it resolves anything.
        DockerCli docker = _helped!.Cli(output);
        await docker.RunOkAsync("run", "-d", "--name", "fd", "busybox", "sleep", "300");
        for (int fd = 3; fd < 12; fd++)
        {
            ProcessResult result = await docker.RunAsync("exec", "-w", $"/proc/self/fd/{fd}", "fd", "sh", "-c", "pwd; ls");
            output.WriteLine($"fd {fd}: {result}");
            Assert.NotEqual(0, result.ExitCode);
            Assert.Contains("chdir to cwd", result.Stdout + result.Stderr, StringComparison.Ordinal); // the CLI prints exec errors on stdout
        }
    }

    [ExecHelperFact]
    public async Task Detached_and_stdin_execs_and_an_exec_into_a_stopped_container()
    {
        DockerCli docker = _helped!.Cli(output);
        await docker.RunOkAsync("run", "-d", "--name", "det", "busybox", "sleep", "300");
        await docker.RunOkAsync("exec", "-d", "det", "sh", "-c", "echo detached > /tmp/mark");
        await Poll.UntilAsync(async () => (await docker.RunAsync("exec", "det", "cat", "/tmp/mark")).Stdout == "detached\n",
            TimeSpan.FromSeconds(20), "the detached exec's file");
        Assert.Equal("data\n", (await docker.RunWithInputAsync("data\n", "exec", "-i", "det", "cat")).EnsureSuccess().Stdout);
        await docker.RunOkAsync("stop", "-t", "0", "det");
        ProcessResult stopped = await docker.RunAsync("exec", "det", "true");
        Assert.NotEqual(0, stopped.ExitCode);
        Assert.Contains("is not running", stopped.Stdout + stopped.Stderr, StringComparison.Ordinal);
    }
    [ExecHelperFact]
    public async Task Health_probes_run_as_runc_would_run_them()
    {
        // The probe reports what it is; the health log keeps its output.
        const string ProbeCommand = "grep -E '^(Uid|Cap(Prm|Eff|Bnd)|NoNewPrivs|Seccomp):' /proc/self/status";
        var outputs = new List<string>();
        foreach (BerthDaemon daemon in new[] { _helped!, _plain! })
        {
            DockerCli docker = daemon.Cli(output);
            await docker.RunOkAsync("run", "-d", "--name", "probe", "--health-cmd", ProbeCommand, "--health-interval", "1s",
                "busybox", "sleep", "300");
            await Poll.UntilAsync(async () => (await docker.RunOkAsync("inspect", "-f", "{{.State.Health.Status}}", "probe")).Trim() == "healthy",
                TimeSpan.FromSeconds(30), "a healthy probe");
            outputs.Add(await docker.RunOkAsync("inspect", "-f", "{{(index .State.Health.Log 0).Output}}", "probe"));
        }
        output.WriteLine(outputs[0]);
        Assert.Contains("CapEff", outputs[0], StringComparison.Ordinal);
        Assert.Equal(outputs[1], outputs[0]);
        Assert.NotEmpty(Directory.GetFiles(Path.Combine(_helped!.ExecRoot, "seccomp"), "*.bpf"));
    }
}
