using Berth.Engine.Errors;
using Berth.Linux;
using Berth.Runtime.Cgroups;
using Berth.Runtime.Oci;

namespace Berth.Runtime.Monitor;

public sealed partial class ConmonMonitor
{
    private static readonly TimeSpan ExecMonitorMoveDelay = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Runs a process in the container under its own conmon (-e). Attached sessions use the
    /// three-pipe sequence: start #1, attach pipe says the socket listens, connect, start #2
    /// (only then does conmon run `runtime exec`, so no output is lost), sync: pid, sync: exit code.
    /// </summary>
    public async Task<ExecSession> ExecAsync(MonitoredContainer container, string execId, ExecOptions options, CancellationToken cancellationToken = default)
    {
        string execDir = Path.Combine(container.StateDir, "exec", execId);
        Directory.CreateDirectory(Path.Combine(execDir, "exits")); // per session: the exit file is named after the container
        await File.WriteAllTextAsync(Path.Combine(execDir, "process.json"), options.ProcessJson, cancellationToken).ConfigureAwait(false);
        string link = Path.Combine(SocketDir, execId);
        File.Delete(link);

        List<string> args = ConmonCommandLine.ForExec(_options.ConmonPath, Runtime, container.Id, execId, execDir, SocketDir, options);
        ConmonProcess conmon = ConmonProcess.Spawn(args, options.Attach, execDir, Path.Combine(execDir, "conmon.err"));
        IContainerAttachment? attachment = null;
        bool started = false;
        try
        {
            await conmon.SendStartAsync(cancellationToken).ConfigureAwait(false);
            started = true;
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(_options.CreateTimeout);
            if (options.Attach)
            {
                if (await ConmonProcess.ReceiveAsync(conmon.Attach!, timeout.Token).ConfigureAwait(false) is null)
                {
                    await conmon.ReapLauncherAsync(timeout.Token).ConfigureAwait(false); // conmon refused its options: says why
                    throw DaemonException.System(Messages.MonitorStartFailed("exec monitor closed its attach pipe: " + conmon.ReadStderr()));
                }
                attachment = await ConmonAttachment.ConnectAsync(Path.Combine(link, "attach"), Path.Combine(execDir, "ctl"),
                    cancellationToken: timeout.Token).ConfigureAwait(false);
                await conmon.SendStartAsync(timeout.Token).ConfigureAwait(false);
            }
            SyncMessage? first = await ConmonProcess.ReceiveAsync(conmon.Sync, timeout.Token).ConfigureAwait(false);
            // The launcher exited right after forking the monitor, long before any reply: reaping
            // here finds it gone at the first try instead of polling while the exec starts.
            await conmon.ReapLauncherAsync(timeout.Token).ConfigureAwait(false);
            if (first is not SyncMessage m)
            {
                throw DaemonException.System(Messages.MonitorGone(container.Id));
            }
            if (m.Data < 0)
            {
                throw new RuntimeCreateException(RuntimeErrors.ExtractMessage(m.Message ?? "unknown error"), exec: true);
            }
            // Exec monitors leave the daemon's cgroup too, or a service stop of the daemon kills
            // running execs. Later and off the exec's path: see MoveExecMonitor.
            if (container.MonitorCgroup is { } cgroup && ReadPidFile(Path.Combine(execDir, "conmon.pid")) is int monitorPid)
            {
                _ = MoveExecMonitorLaterAsync(monitorPid, execId, cgroup);
            }
            return new ExecSession(execId, m.Data, attachment, WaitExecExitAsync(conmon, container.Id, execDir, link));
        }
        catch
        {
            if (attachment is not null)
            {
                await attachment.DisposeAsync().ConfigureAwait(false);
            }
            if (!started)
            {
                _ = Libc.Kill(conmon.LauncherPid, Libc.SIGKILL);
                _ = ProcessSpawner.WaitForExit(conmon.LauncherPid);
            }
            conmon.Dispose(); // EOF on its pipes: conmon gives up (EPIPE) instead of waiting for us
            RemoveExecFiles(execDir, link);
            throw;
        }
    }

    private static async Task<int> WaitExecExitAsync(ConmonProcess conmon, string containerId, string execDir, string link)
    {
        try
        {
            // conmon keeps the sync pipe open until it exits; the exit code is its last message.
            SyncMessage? last = await ConmonProcess.ReceiveAsync(conmon.Sync, CancellationToken.None).ConfigureAwait(false);
            if (last is SyncMessage m)
            {
                return m.Data;
            }
            return ExitWatcher.TryReadCode(Path.Combine(execDir, "exits", containerId))
                ?? throw DaemonException.System(Messages.MonitorGone(containerId));
        }
        finally
        {
            conmon.Dispose();
            RemoveExecFiles(execDir, link);
        }
    }

    /// <summary>
    /// Moves a running exec monitor (the forked conmon, not the launcher) into the container's
    /// monitor cgroup, in the hierarchies a service manager kills by (name=systemd, the unified
    /// one; the root on a pure v2 host). A cgroup.procs write waits for an RCU grace period under
    /// the kernel's threadgroup lock (10-15 ms on a busy host), and `runc exec` takes the same lock
    /// to put the process into the container's cgroups: done in the launcher's start window as
    /// for containers, or right after the start, it slowed every exec. After a second, short
    /// execs are over (their monitor is simply not found) and long ones do not notice. The other
    /// controllers would only account conmon's few hundred KiB.
    /// </summary>
    private async Task MoveExecMonitorLaterAsync(int pid, string execId, string cgroup)
    {
        await Task.Delay(ExecMonitorMoveDelay).ConfigureAwait(false);
        if (IsMonitorAlive(pid, execId)) // its command line names the session: not a reused pid
        {
            MoveExecMonitor(pid, cgroup);
        }
    }

    private void MoveExecMonitor(int pid, string cgroup)
    {
        string pidText = pid.ToString(System.Globalization.CultureInfo.InvariantCulture);
        foreach (string hierarchy in CgroupFs.Hierarchies(_options.CgroupRoot))
        {
            string name = Path.GetFileName(hierarchy);
            bool tracking = hierarchy == _options.CgroupRoot || name is "systemd" or "unified";
            string procs = Path.Join(hierarchy, cgroup, "cgroup.procs");
            if (!tracking || !File.Exists(procs))
            {
                continue;
            }
            try
            {
                File.WriteAllText(procs, pidText);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // a hierarchy that refuses leaves conmon where the daemon is, as for containers
            }
        }
    }

    private static void RemoveExecFiles(string execDir, string link)
    {
        File.Delete(link);
        try
        {
            Directory.Delete(execDir, recursive: true);
        }
        catch (IOException)
        {
            // a detached exec's log may still be open; the container's cleanup removes the state dir
        }
    }
}
