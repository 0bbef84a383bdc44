using Berth.Runtime.Oci;

namespace Berth.Runtime.Monitor;

/// <summary>
/// Builds conmon 2.1.6 argument lists (pure, unit-tested). The sync/start/attach pipes are
/// inherited as fds 3/4/5 and named in the environment (<see cref="Environment"/>).
/// </summary>
public static class ConmonCommandLine
{
    public const int SyncFd = 3;
    public const int StartFd = 4;
    public const int AttachFd = 5;

    /// <summary>TZ=UTC makes conmon's log timestamps end in +00:00 (Docker prints UTC).</summary>
    public static List<string> Environment(bool attachPipe)
    {
        var env = new List<string> { "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "TZ=UTC", $"_OCI_SYNCPIPE={SyncFd}", $"_OCI_STARTPIPE={StartFd}" };
        if (attachPipe)
        {
            env.Add($"_OCI_ATTACHPIPE={AttachFd}");
        }
        return env;
    }

    /// <summary>conmon for a container: it runs `runtime create` and watches the container until exit.</summary>
    public static List<string> ForContainer(string conmonPath, IOciRuntime runtime, string id, string bundleDir, string stateDir,
        string exitDir, string socketDir, MonitorCreateOptions options, long? logSizeMax = null)
    {
        var args = Common(conmonPath, runtime, id, id, bundleDir);
        args.AddRange(["-n", id, "-p", Path.Combine(stateDir, "pidfile"),
            "--exit-dir", exitDir, "--persist-dir", Path.Combine(stateDir, "persist"),
            "--conmon-pidfile", Path.Combine(stateDir, "conmon.pid"),
            "--socket-dir-path", socketDir]);
        AddLog(args, options.LogPath, logSizeMax);
        if (options.Tty)
        {
            args.Add("-t");
        }
        if (options.OpenStdin)
        {
            args.Add("-i");
            // conmon closes stdin when any attach client leaves. dockerd closes it only for
            // StdinOnce without a TTY; a TTY's stdin outlives every attach (detach, re-attach).
            if (!options.StdinOnce || options.Tty)
            {
                args.Add("--leave-stdin-open");
            }
        }
        return args;
    }

    /// <summary>conmon for an exec session: -c is the container, -u the session; its own exit dir because the exit file is named after -c.</summary>
    public static List<string> ForExec(string conmonPath, IOciRuntime runtime, string containerId, string execId, string execDir,
        string socketDir, ExecOptions options)
    {
        var args = Common(conmonPath, runtime, containerId, execId, execDir, options.RuntimePath);
        args.AddRange(["-p", Path.Combine(execDir, "pidfile"),
            // No --persist-dir: the code comes on the sync pipe, and each exit file conmon writes
            // sits between the process's end and that message.
            "--exit-dir", Path.Combine(execDir, "exits"), "--no-sync-log",
            "--conmon-pidfile", Path.Combine(execDir, "conmon.pid"),
            "--socket-dir-path", socketDir,
            "-e", "--exec-process-spec", Path.Combine(execDir, "process.json")]);
        AddLog(args, options.Attach ? null : options.LogPath, null);
        if (options.Tty)
        {
            args.Add("-t");
        }
        if (options.OpenStdin)
        {
            args.Add("-i");
        }
        if (options.Attach)
        {
            args.Add("--exec-attach");
        }
        return args;
    }

    private static List<string> Common(string conmonPath, IOciRuntime runtime, string containerId, string uuid, string bundleDir, string? runtimePath = null)
    {
        var args = new List<string> { conmonPath, "--api-version", "1", "-c", containerId, "-u", uuid, "-r", runtimePath ?? runtime.Path };
        foreach (string g in runtime.GlobalArguments)
        {
            args.Add("--runtime-arg");
            args.Add(g);
        }
        args.AddRange(["--runtime-arg", "--log-format=json", "-b", bundleDir]);
        return args;
    }

    private static void AddLog(List<string> args, string? logPath, long? logSizeMax)
    {
        args.Add("-l");
        args.Add(logPath is null ? "none" : "k8s-file:" + logPath);
        if (logPath is not null)
        {
            // conmon fsyncs the log before it writes the exit file; dockerd's json-file never syncs,
            // and the fsync sat on the path of every container exit.
            args.Add("--no-sync-log");
        }
        if (logPath is not null && logSizeMax is long max)
        {
            args.Add("--log-size-max");
            args.Add(max.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
    }
}
