using System.Runtime.InteropServices;

namespace Berth.Linux;

/// <summary>What to spawn and which fds the child gets. Every fd not listed is closed in the child (.NET opens all fds CLOEXEC).</summary>
public sealed class SpawnRequest
{
    /// <summary>Program; searched in PATH when it has no '/'.</summary>
    public required string File { get; init; }

    /// <summary>argv including argv[0].</summary>
    public required IReadOnlyList<string> Arguments { get; init; }

    /// <summary>"KEY=VALUE" entries; the child gets exactly these.</summary>
    public IReadOnlyList<string> Environment { get; init; } = [];

    public string? WorkingDirectory { get; init; }

    /// <summary>Parent fds for the child's 0/1/2; -1 means /dev/null.</summary>
    public int StdinFd { get; init; } = -1;

    public int StdoutFd { get; init; } = -1;

    public int StderrFd { get; init; } = -1;

    /// <summary>Parent fd → child fd (e.g. 3, 4, 5). Sources may themselves be 3..5: they are moved away first.</summary>
    public IReadOnlyList<(int Source, int Target)> ExtraFds { get; init; } = [];

    /// <summary>POSIX_SPAWN_SETSID: the child leads a new session, so the daemon's terminal/session signals miss it.</summary>
    public bool NewSession { get; init; }
}

/// <summary>
/// posix_spawnp with an explicit fd map. glibc implements it with clone(CLONE_VM|CLONE_VFORK) + exec,
/// which is safe inside the multithreaded .NET runtime (fork() is not), and unlike Process.Start
/// it can hand the child extra fds such as conmon's sync/start pipes.
/// </summary>
public static class ProcessSpawner
{
    private const short SetSigDef = 0x04;
    private const short SetSigMask = 0x08;
    private const short SetSid = 0x80;
    private const int HighFdBase = 100;

    /// <summary>Spawns the process and returns its pid. The caller must reap it (<see cref="WaitForExit"/>).</summary>
    public static unsafe int Spawn(SpawnRequest request)
    {
        // Move every source out of the low range first: a dup2(src=4 → 3) followed by
        // dup2(src=3 → 4) would otherwise hand the child the wrong fd (dup2 clobbering).
        var moved = new List<int>();
        var cleanup = new List<nint>();
        void* actions = NativeMemory.AllocZeroed(256); // posix_spawn_file_actions_t is 80 bytes in glibc
        void* attr = NativeMemory.AllocZeroed(512);    // posix_spawnattr_t is 336 bytes
        void* sigset = NativeMemory.AllocZeroed(256);  // sigset_t is 128 bytes
        try
        {
            Check(Libc.FileActionsInit(actions), "posix_spawn_file_actions_init");
            Check(Libc.SpawnAttrInit(attr), "posix_spawnattr_init");
            MapStdio(actions, request.StdinFd, 0, moved);
            MapStdio(actions, request.StdoutFd, 1, moved);
            MapStdio(actions, request.StderrFd, 2, moved);
            foreach ((int source, int target) in request.ExtraFds)
            {
                Check(Libc.FileActionsAddDup2(actions, MoveHigh(source, moved), target), "adddup2");
            }
            if (request.WorkingDirectory is not null)
            {
                Check(Libc.FileActionsAddChdir(actions, request.WorkingDirectory), "addchdir");
            }

            // .NET ignores SIGPIPE, and ignored dispositions survive exec: reset every signal to its
            // default and unblock all, or conmon, the runtime and the container inherit them.
            short flags = SetSigDef | SetSigMask;
            if (request.NewSession)
            {
                flags |= SetSid;
            }
            _ = Libc.SigFillSet(sigset);
            Check(Libc.SpawnAttrSetSigDefault(attr, sigset), "setsigdefault");
            _ = Libc.SigEmptySet(sigset);
            Check(Libc.SpawnAttrSetSigMask(attr, sigset), "setsigmask");
            Check(Libc.SpawnAttrSetFlags(attr, flags), "setflags");

            byte** argv = ToNative(request.Arguments, cleanup);
            byte** envp = ToNative(request.Environment, cleanup);
            int pid;
            int rc = Libc.PosixSpawnP(&pid, request.File, actions, attr, argv, envp);
            if (rc != 0)
            {
                throw Libc.Error($"spawn {request.File}", rc);
            }
            return pid;
        }
        finally
        {
            _ = Libc.FileActionsDestroy(actions);
            _ = Libc.SpawnAttrDestroy(attr);
            NativeMemory.Free(actions);
            NativeMemory.Free(attr);
            NativeMemory.Free(sigset);
            foreach (nint p in cleanup)
            {
                NativeMemory.Free((void*)p);
            }
            foreach (int fd in moved)
            {
                Libc.Close(fd);
            }
        }
    }

    /// <summary>Blocks until the child exits; returns its exit code, or 128+signal when killed (the shell's convention).</summary>
    public static unsafe int WaitForExit(int pid)
    {
        int status;
        while (Libc.WaitPidNative(pid, &status, 0) < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            if (errno != Libc.EIntr)
            {
                throw Libc.Error($"waitpid {pid}", errno);
            }
        }
        return Decode(status);
    }

    /// <summary>Non-blocking reap: null while the child still runs.</summary>
    public static unsafe int? TryWait(int pid)
    {
        int status;
        int rc = Libc.WaitPidNative(pid, &status, Libc.WNoHang);
        if (rc < 0)
        {
            throw Libc.Error($"waitpid {pid}", Marshal.GetLastPInvokeError());
        }
        return rc == 0 ? null : Decode(status);
    }

    /// <summary>Waits asynchronously by polling WNOHANG: short-lived launchers (conmon's first process) exit within milliseconds.</summary>
    public static async Task<int> WaitForExitAsync(int pid, CancellationToken cancellationToken = default)
    {
        int delay = 1;
        while (true)
        {
            if (TryWait(pid) is int code)
            {
                return code;
            }
            await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
            delay = Math.Min(delay * 2, 50);
        }
    }

    private static int Decode(int status)
    {
        int signal = status & 0x7f;
        return signal == 0 ? (status >> 8) & 0xff : 128 + signal;
    }

    private static unsafe void MapStdio(void* actions, int source, int target, List<int> moved)
    {
        if (source < 0)
        {
            Check(Libc.FileActionsAddOpen(actions, target, "/dev/null", target == 0 ? 0 : 2, 0), "addopen");
        }
        else
        {
            Check(Libc.FileActionsAddDup2(actions, MoveHigh(source, moved), target), "adddup2");
        }
    }

    private static int MoveHigh(int fd, List<int> moved)
    {
        int high = Libc.FcntlNative(fd, Libc.FDupFdCloexec, HighFdBase);
        if (high < 0)
        {
            throw Libc.Error($"fcntl F_DUPFD_CLOEXEC {fd}", Marshal.GetLastPInvokeError());
        }
        moved.Add(high);
        return high;
    }

    private static unsafe byte** ToNative(IReadOnlyList<string> items, List<nint> cleanup)
    {
        var array = (byte**)NativeMemory.AllocZeroed((nuint)(items.Count + 1), (nuint)sizeof(byte*));
        cleanup.Add((nint)array);
        for (int i = 0; i < items.Count; i++)
        {
            int length = System.Text.Encoding.UTF8.GetByteCount(items[i]);
            byte* s = (byte*)NativeMemory.Alloc((nuint)length + 1);
            cleanup.Add((nint)s);
            System.Text.Encoding.UTF8.GetBytes(items[i], new Span<byte>(s, length));
            s[length] = 0;
            array[i] = s;
        }
        return array;
    }

    private static void Check(int rc, string what)
    {
        if (rc != 0)
        {
            throw Libc.Error(what, rc);
        }
    }
}
