using System.Globalization;
using Berth.Engine.Errors;
using Berth.Linux;
using Berth.Runtime.Cgroups;
using Berth.Runtime.Oci;

namespace Berth.Runtime.Monitor;

/// <summary>Where conmon and the runtime live on this host.</summary>
public sealed record ConmonMonitorOptions
{
    public string ConmonPath { get; init; } = "/usr/bin/conmon";

    /// <summary>Daemon exec root (tmpfs, e.g. /run/berth): shared exit dir and the short attach-socket dir live here.</summary>
    public required string ExecRoot { get; init; }

    public string CgroupRoot { get; init; } = CgroupFs.DefaultRoot;

    /// <summary>conmon's --log-size-max (it truncates, not rotates); null: unlimited.</summary>
    public long? LogSizeMax { get; init; }

    /// <summary>Limit for conmon + `runtime create` to report the container pid.</summary>
    public TimeSpan CreateTimeout { get; init; } = TimeSpan.FromMinutes(2);
}

/// <summary>
/// <see cref="IContainerMonitor"/> on conmon 2.1.6 (one double-forked, setsid conmon per
/// container). The protocol details and measurements are in docs runtime-conmon.md.
/// </summary>
public sealed partial class ConmonMonitor : IContainerMonitor, IDisposable
{
    private static readonly TimeSpan HealthCheckInterval = TimeSpan.FromSeconds(1);
    private readonly ConmonMonitorOptions _options;
    private readonly ExitWatcher _exits;

    public ConmonMonitor(IOciRuntime runtime, ConmonMonitorOptions options)
    {
        Runtime = runtime;
        _options = options;
        SocketDir = Path.Combine(options.ExecRoot, "s");
        Directory.CreateDirectory(SocketDir);
        Directory.CreateDirectory(runtime.Root);
        _exits = new ExitWatcher(Path.Combine(options.ExecRoot, "exits"));
    }

    public IOciRuntime Runtime { get; }

    /// <summary>conmon's --socket-dir-path: &lt;dir&gt;/&lt;uuid&gt; links to the bundle so the socket path stays short.</summary>
    public string SocketDir { get; }

    public async Task<MonitoredContainer> CreateAsync(string id, string bundleDir, string stateDir, MonitorCreateOptions options, CancellationToken cancellationToken = default)
    {
        Directory.CreateDirectory(Path.Combine(stateDir, "persist"));
        // A restarted container reuses its id: stale files would report the previous run.
        DeleteFiles(_exits.FilePath(id), Path.Combine(stateDir, "persist", "exit"), Path.Combine(stateDir, "persist", "oom"),
            Path.Combine(stateDir, "pidfile"), Path.Combine(stateDir, "conmon.pid"), Path.Combine(SocketDir, id));

        List<string> args = ConmonCommandLine.ForContainer(_options.ConmonPath, Runtime, id, bundleDir, stateDir,
            Path.Combine(_options.ExecRoot, "exits"), SocketDir, options, _options.LogSizeMax);
        using ConmonProcess conmon = ConmonProcess.Spawn(args, attachPipe: false, stateDir, Path.Combine(stateDir, "conmon.err"));
        bool started = false;
        try
        {
            await conmon.SendStartAsync(cancellationToken).ConfigureAwait(false);
            started = true;
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(_options.CreateTimeout);
            // The monitor leaves the daemon's cgroup while it runs `runtime create`: a cgroup.procs
            // write waits out an RCU grace period (~7 ms here), which then overlaps the runtime's
            // ~40 ms instead of preceding it. The monitor's only fork before the move is the
            // runtime itself, which puts the container's init into the container's own cgroup.
            Task moved = MoveMonitorAsync(conmon, stateDir, options.MonitorCgroup, timeout.Token);
            SyncMessage? reply;
            try
            {
                reply = await ConmonProcess.ReceiveAsync(conmon.Sync, timeout.Token).ConfigureAwait(false);
            }
            finally
            {
                // On EOF the launcher's status and stderr explain the failure.
                await moved.ConfigureAwait(false);
            }
            if (reply is not SyncMessage m)
            {
                string err = conmon.ReadStderr();
                throw DaemonException.System(Messages.MonitorStartFailed(err.Length > 0 ? err : "conmon exited before reporting the container pid"));
            }
            if (m.Data < 0)
            {
                throw new RuntimeCreateException(RuntimeErrors.ExtractMessage(m.Message ?? "unknown error"));
            }
            int conmonPid = ReadPidFile(Path.Combine(stateDir, "conmon.pid")) ?? 0;
            // The sync pipe carries nothing more for a container: closing it here (using) is safe.
            return new MonitoredContainer(id, bundleDir, stateDir, m.Data, conmonPid, options.ContainerCgroup, options.MonitorCgroup);
        }
        catch
        {
            if (!started)
            {
                _ = Libc.Kill(conmon.LauncherPid, Libc.SIGKILL); // never let it go on to create the container
                _ = ProcessSpawner.WaitForExit(conmon.LauncherPid);
            }
            else
            {
                await AbandonAsync(id, stateDir).ConfigureAwait(false);
            }
            throw;
        }
    }

    public Task StartAsync(MonitoredContainer container, CancellationToken cancellationToken = default) =>
        Runtime.StartAsync(container.Id, container.Pid, cancellationToken);

    public async Task<IContainerAttachment> AttachAsync(MonitoredContainer container, int bufferFrames = 256, CancellationToken cancellationToken = default) =>
        await ConmonAttachment.ConnectAsync(Path.Combine(SocketDir, container.Id, "attach"), Path.Combine(container.BundleDir, "ctl"),
            bufferFrames, cancellationToken).ConfigureAwait(false);

    public async Task<ContainerExit> WaitForExitAsync(MonitoredContainer container, CancellationToken cancellationToken = default)
    {
        while (true)
        {
            if (TryReadExit(container) is ContainerExit exit)
            {
                _exits.Forget(container.Id);
                return exit;
            }
            bool present = await _exits.WaitAsync(container.Id, HealthCheckInterval, cancellationToken).ConfigureAwait(false);
            // conmon writes the exit file before it exits: a dead monitor with no file never will.
            if (!present && !IsMonitorAlive(container.ConmonPid, container.Id) && TryReadExit(container) is null)
            {
                _exits.Forget(container.Id);
                return new ContainerExit(null, File.Exists(Path.Combine(container.StateDir, "persist", "oom")), DateTimeOffset.UtcNow);
            }
        }
    }

    public ContainerExit? TryReadExit(MonitoredContainer container)
    {
        string shared = _exits.FilePath(container.Id);
        string persisted = Path.Combine(container.StateDir, "persist", "exit");
        foreach (string path in new[] { shared, persisted })
        {
            if (ExitWatcher.TryReadCode(path) is int code)
            {
                bool oom = File.Exists(Path.Combine(container.StateDir, "persist", "oom"));
                return new ContainerExit(code, oom, new DateTimeOffset(File.GetLastWriteTimeUtc(path), TimeSpan.Zero));
            }
        }
        return null;
    }

    public void Resize(MonitoredContainer container, int rows, int columns) =>
        ConmonControl.Resize(Path.Combine(container.BundleDir, "ctl"), rows, columns);

    public void ReopenLog(MonitoredContainer container) => ConmonControl.ReopenLog(Path.Combine(container.BundleDir, "ctl"));

    public async Task<ReattachResult> ReattachAsync(MonitoredContainer persisted, CancellationToken cancellationToken = default)
    {
        int conmonPid = ReadPidFile(Path.Combine(persisted.StateDir, "conmon.pid")) ?? persisted.ConmonPid;
        int pid = ReadPidFile(Path.Combine(persisted.StateDir, "pidfile")) ?? persisted.Pid;
        MonitoredContainer container = persisted with { Pid = pid, ConmonPid = conmonPid };
        bool alive = IsMonitorAlive(conmonPid, persisted.Id); // before the exit check: conmon writes the file, then exits
        if (TryReadExit(container) is ContainerExit exit)
        {
            return new ReattachResult(ReattachStatus.Exited, container, exit);
        }
        if (alive)
        {
            return new ReattachResult(ReattachStatus.Running, container, null);
        }
        // Nobody watches the container: its output and exit code would be lost. Stop it.
        await AbandonAsync(persisted.Id, persisted.StateDir).ConfigureAwait(false);
        return new ReattachResult(ReattachStatus.Orphaned, container, new ContainerExit(null, false, DateTimeOffset.UtcNow));
    }

    public async Task CleanupAsync(MonitoredContainer container, CancellationToken cancellationToken = default)
    {
        await Runtime.DeleteAsync(container.Id, force: true, cancellationToken).ConfigureAwait(false);
        await WaitForMonitorGoneAsync(container.ConmonPid, container.Id, cancellationToken).ConfigureAwait(false);
        DeleteFiles(Path.Combine(SocketDir, container.Id), _exits.FilePath(container.Id));
        _exits.Forget(container.Id);
        if (container.ContainerCgroup is not null)
        {
            CgroupFs.Remove(container.ContainerCgroup, parents: 1, _options.CgroupRoot);
        }
        if (container.MonitorCgroup is not null)
        {
            CgroupFs.Remove(container.MonitorCgroup, parents: 1, _options.CgroupRoot); // busy while other monitors live there
        }
    }

    public void Dispose() => _exits.Dispose();

    /// <summary>True when <paramref name="pid"/> is a live (not zombie) process whose command line names <paramref name="id"/> (pid reuse guard).</summary>
    public static bool IsMonitorAlive(int pid, string id)
    {
        if (!ProcessStates.IsLive(pid))
        {
            return false;
        }
        try
        {
            string cmdline = File.ReadAllText($"/proc/{pid}/cmdline");
            return cmdline.Split('\0').Contains(id, StringComparer.Ordinal);
        }
        catch (IOException)
        {
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
    }

    internal static int? ReadPidFile(string path)
    {
        string? text = Libc.ReadSmallFileUnlocked(path);
        return text is not null && int.TryParse(text.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out int pid) && pid > 0 ? pid : null;
    }

    /// <summary>
    /// Reaps the launcher (it exits right after writing the monitor's pid file), then moves the
    /// monitor into its own cgroup so it survives a service stop of the daemon.
    /// </summary>
    private async Task MoveMonitorAsync(ConmonProcess conmon, string stateDir, string? cgroup, CancellationToken cancellationToken)
    {
        await conmon.ReapLauncherAsync(cancellationToken).ConfigureAwait(false);
        if (cgroup is null)
        {
            return;
        }
        int pid = ReadPidFile(Path.Combine(stateDir, "conmon.pid"))
            ?? throw DaemonException.System(Messages.MonitorStartFailed("conmon wrote no pid file"));
        // The write blocks for a grace period: off the request's thread.
        int joined = await Task.Run(() => CgroupFs.MoveProcess(pid, cgroup, _options.CgroupRoot).Count, cancellationToken).ConfigureAwait(false);
        if (joined == 0)
        {
            throw DaemonException.System(Messages.MonitorStartFailed($"cannot move conmon into cgroup {cgroup}"));
        }
    }

    /// <summary>Kill whatever a failed create or a lost monitor left behind.</summary>
    private async Task AbandonAsync(string id, string stateDir)
    {
        if (ReadPidFile(Path.Combine(stateDir, "conmon.pid")) is int conmonPid && IsMonitorAlive(conmonPid, id))
        {
            _ = Libc.Kill(conmonPid, Libc.SIGKILL);
        }
        try
        {
            await Runtime.DeleteAsync(id, force: true).ConfigureAwait(false);
        }
        catch (DaemonException)
        {
            // best effort: the caller reports the original failure
        }
    }

    private static async Task WaitForMonitorGoneAsync(int pid, string id, CancellationToken cancellationToken)
    {
        // conmon exits a few ms after writing the exit file; its cgroup is busy until then.
        for (int i = 0; i < 50 && IsMonitorAlive(pid, id); i++)
        {
            await Task.Delay(5, cancellationToken).ConfigureAwait(false);
        }
    }

    private static void DeleteFiles(params string[] paths)
    {
        foreach (string p in paths)
        {
            File.Delete(p); // symlinks included: File.Delete never follows them
        }
    }
}
