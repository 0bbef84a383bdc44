namespace Berth.Runtime.Oci;

/// <summary>
/// runc's `start` of a created container, without a runc process: its init waits in an open
/// for writing of &lt;root&gt;/&lt;id&gt;/exec.fifo; the starter opens it for reading, gets the
/// "0" the init writes, sees EOF once the init has exec'd the container's process (its end is
/// close-on-exec) and removes the fifo, which is how runc tells "created" from "running".
/// runc 1.x does exactly this in `runc start`; skipping the Go binary's start-up saves ~5 ms
/// per container start. Anything unexpected falls back to the binary.
/// </summary>
internal static class ExecFifo
{
    private static readonly TimeSpan LivenessInterval = TimeSpan.FromMilliseconds(100);

    public static string PathFor(string root, string id) => Path.Combine(root, id, "exec.fifo");

    /// <summary>Releases the init waiting on <paramref name="fifo"/>; <paramref name="initPid"/> guards against a dead init.</summary>
    /// <exception cref="InvalidOperationException">The init died before it exec'd the process.</exception>
    public static async Task ReleaseAsync(string fifo, int initPid)
    {
        // A blocking open and read, on a worker: the init is already waiting in its open, so this
        // returns at once unless the init died, which the loop below notices as runc does.
        Task<int> read = Task.Run(() => ReadToEnd(fifo), CancellationToken.None);
        while (!read.IsCompleted)
        {
            Task first = await Task.WhenAny(read, Task.Delay(LivenessInterval, CancellationToken.None)).ConfigureAwait(false);
            if (first != read && !Linux.ProcessStates.IsLive(initPid))
            {
                Unblock(fifo);
            }
        }
        if (await read.ConfigureAwait(false) == 0)
        {
            throw new InvalidOperationException("container process is already dead");
        }
        File.Delete(fifo);
    }

    private static int ReadToEnd(string fifo)
    {
        using var stream = new FileStream(fifo, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, bufferSize: 0);
        Span<byte> buffer = stackalloc byte[16];
        int total = 0;
        int n;
        while ((n = stream.Read(buffer)) > 0)
        {
            total += n;
        }
        return total;
    }

    /// <summary>A reader blocked in open with no writer left: open and close a write end so it returns (and reads EOF).</summary>
    private static void Unblock(string fifo)
    {
        // O_NONBLOCK: fails (ENXIO) instead of waiting when the reader is not in its open
        // (it is reading then, and sees EOF by itself).
        int fd = Linux.FileSys.TryOpenAt(AtFdCwd, fifo, Linux.FileSys.OWronly | ONonblock);
        if (fd >= 0)
        {
            Linux.FileSys.Close(fd);
        }
    }

    private const int AtFdCwd = -100;
    private const int ONonblock = 0x800;
}
