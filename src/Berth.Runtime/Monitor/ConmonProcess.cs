using System.Net.Sockets;
using Berth.Engine.Errors;
using Berth.Linux;
using Microsoft.Win32.SafeHandles;

namespace Berth.Runtime.Monitor;

/// <summary>
/// A freshly spawned conmon launcher and the daemon's ends of its pipes (SEQPACKET socketpairs:
/// one message per write). conmon reads the start pipe before it forks; the launcher then forks
/// the monitor, writes the monitor's pid file and exits.
/// </summary>
internal sealed class ConmonProcess : IDisposable
{
    private ConmonProcess(int launcherPid, Socket sync, Socket start, Socket? attach, string stderrPath)
    {
        LauncherPid = launcherPid;
        Sync = sync;
        Start = start;
        Attach = attach;
        StderrPath = stderrPath;
    }

    public int LauncherPid { get; }

    public Socket Sync { get; }

    public Socket Start { get; }

    public Socket? Attach { get; }

    /// <summary>conmon's early errors (bad options) go to the launcher's stderr: kept in a file.</summary>
    public string StderrPath { get; }

    public static ConmonProcess Spawn(List<string> args, bool attachPipe, string workingDirectory, string stderrPath)
    {
        var fds = new List<int>();
        try
        {
            (int syncParent, int syncChild) = Libc.SocketPairSeqPacket();
            fds.AddRange([syncParent, syncChild]);
            (int startParent, int startChild) = Libc.SocketPairSeqPacket();
            fds.AddRange([startParent, startChild]);
            int attachParent = -1, attachChild = -1;
            if (attachPipe)
            {
                (attachParent, attachChild) = Libc.SocketPairSeqPacket();
                fds.AddRange([attachParent, attachChild]);
            }
            var extra = new List<(int, int)> { (syncChild, ConmonCommandLine.SyncFd), (startChild, ConmonCommandLine.StartFd) };
            if (attachPipe)
            {
                extra.Add((attachChild, ConmonCommandLine.AttachFd));
            }
            int pid;
            using (SafeFileHandle stderr = File.OpenHandle(stderrPath, FileMode.Create, FileAccess.Write))
            {
                pid = ProcessSpawner.Spawn(new SpawnRequest
                {
                    File = args[0],
                    Arguments = args,
                    Environment = ConmonCommandLine.Environment(attachPipe),
                    WorkingDirectory = workingDirectory, // conmon drops an "oom" file into its cwd
                    StderrFd = (int)stderr.DangerousGetHandle(),
                    ExtraFds = extra,
                    NewSession = true,
                });
            }
            // The child has its copies now; ours must go, or EOF never arrives when conmon exits.
            Libc.Close(syncChild);
            Libc.Close(startChild);
            Libc.Close(attachChild);
            fds.Clear();
            return new ConmonProcess(pid, Wrap(syncParent), Wrap(startParent), attachPipe ? Wrap(attachParent) : null, stderrPath);
        }
        catch
        {
            fds.ForEach(Libc.Close);
            throw;
        }
    }

    /// <summary>Releases conmon from its start-pipe read (one 0 byte, as podman writes).</summary>
    public async Task SendStartAsync(CancellationToken cancellationToken) =>
        await Start.SendAsync(new byte[1], SocketFlags.None, cancellationToken).ConfigureAwait(false);

    /// <summary>Next message on a pipe, or null at EOF (conmon exited / closed it).</summary>
    public static async Task<SyncMessage?> ReceiveAsync(Socket pipe, CancellationToken cancellationToken)
    {
        byte[] buffer = new byte[16384]; // the message text is at most 8 KiB of escaped runtime stderr
        int n = await pipe.ReceiveAsync(buffer, SocketFlags.None, cancellationToken).ConfigureAwait(false);
        if (n == 0)
        {
            return null;
        }
        return SyncMessage.TryParse(buffer.AsSpan(0, n), out SyncMessage m)
            ? m
            : throw DaemonException.System(Messages.MonitorStartFailed("unexpected sync message: " + System.Text.Encoding.UTF8.GetString(buffer, 0, n)));
    }

    /// <summary>Reaps the launcher; a non-zero status means conmon refused to start (its stderr says why).</summary>
    public async Task ReapLauncherAsync(CancellationToken cancellationToken)
    {
        int code = await ProcessSpawner.WaitForExitAsync(LauncherPid, cancellationToken).ConfigureAwait(false);
        if (code != 0)
        {
            throw DaemonException.System(Messages.MonitorStartFailed($"exit status {code}: {ReadStderr()}"));
        }
    }

    public string ReadStderr()
    {
        try
        {
            return File.ReadAllText(StderrPath).Trim();
        }
        catch (IOException)
        {
            return "";
        }
    }

    public void Dispose()
    {
        Sync.Dispose();
        Start.Dispose();
        Attach?.Dispose();
    }

    private static Socket Wrap(int fd) => new(new SafeSocketHandle(fd, ownsHandle: true));
}
