using System.Runtime.InteropServices;

namespace Berth.Linux.Netns;

/// <summary>
/// Network namespaces kept alive by a bind mount of their nsfs file (what `ip netns add`, CNI
/// and podman do), so a namespace exists before the container process and after it, and
/// survives a daemon restart.
///
/// A namespace is a property of a thread, and .NET moves async work across pool threads, so
/// every operation that changes the calling thread's namespace runs on a dedicated thread
/// created for it (never a pool thread): it switches, does its work, switches back, and ends.
/// Sockets opened in there stay bound to the namespace they were created in, so callers usually
/// only open a netlink socket inside and use it from anywhere afterwards.
/// </summary>
public static partial class NetworkNamespaces
{
    private const int CloneNewNet = 0x40000000;
    private const int ORdOnly = 0, OCreat = 0x40, OExcl = 0x80, OCloexec = 0x80000;
    private const ulong MsBind = 0x1000;
    private const int MntDetach = 2;
    private const long NsfsMagic = 0x6e736673;
    private const string ThreadNetns = "/proc/thread-self/ns/net";

    // A namespace switch needs no deep stack; small stacks keep thread creation cheap.
    private const int StackSize = 256 * 1024;

    /// <summary>
    /// Creates a new network namespace, pins it at <paramref name="path"/> (an empty file is
    /// created for the bind mount; the path must not exist) and runs <paramref name="inside"/> in
    /// it. On failure nothing is left mounted or created.
    /// </summary>
    public static Task<T> CreateAsync<T>(string path, Func<T> inside) =>
        OnOwnThread(() => WithHomeRestored(() =>
        {
            Check(Unshare(CloneNewNet), "unshare(CLONE_NEWNET)");
            int fd = Open(path, ORdOnly | OCreat | OExcl | OCloexec, 0);
            if (fd < 0)
            {
                throw ErrnoException.Last($"create {path}");
            }
            _ = Close(fd);
            if (Mount(ThreadNetns, path, null, MsBind, 0) != 0)
            {
                var error = ErrnoException.Last($"bind mount the new network namespace on {path}");
                File.Delete(path);
                throw error;
            }
            try
            {
                return inside();
            }
            catch
            {
                Remove(path);
                throw;
            }
        }), "netns-create");

    /// <summary>Runs <paramref name="action"/> inside the namespace pinned (or referenced) at <paramref name="path"/>.</summary>
    public static Task<T> RunInAsync<T>(string path, Func<T> action) =>
        OnOwnThread(() =>
        {
            int target = Open(path, ORdOnly | OCloexec, 0);
            if (target < 0)
            {
                throw ErrnoException.Last($"open network namespace {path}");
            }
            try
            {
                return WithHomeRestored(() =>
                {
                    Check(SetNs(target, CloneNewNet), $"setns({path})");
                    return action();
                });
            }
            finally
            {
                _ = Close(target);
            }
        }, "netns-enter");

    /// <summary>
    /// Unpins a namespace: detaches the bind mount and deletes the file. The kernel frees the
    /// namespace (and the interfaces in it) once no process and no other mount holds it.
    /// Missing or already unmounted paths are fine.
    /// </summary>
    public static void Remove(string path)
    {
        if (Umount2(path, MntDetach) != 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            if (errno is not (Errnos.EINVAL or Errnos.ENOENT))
            {
                throw new ErrnoException($"unmount network namespace {path}", errno);
            }
        }
        try
        {
            File.Delete(path);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }

    /// <summary>Opens a namespace file for calls that take one by descriptor (IFLA_NET_NS_FD).</summary>
    public static NamespaceFd OpenFd(string path)
    {
        int fd = Open(path, ORdOnly | OCloexec, 0);
        return fd >= 0 ? new NamespaceFd(fd) : throw ErrnoException.Last($"open network namespace {path}");
    }

    /// <summary>True when <paramref name="path"/> is a namespace file (an nsfs bind mount or /proc/PID/ns/net).</summary>
    public static unsafe bool IsNamespace(string path)
    {
        // struct statfs on 64-bit Linux starts with the 8-byte f_type; 120 bytes total.
        byte* buffer = stackalloc byte[128];
        return StatFs(path, buffer) == 0 && *(long*)buffer == NsfsMagic;
    }

    /// <summary>
    /// Runs <paramref name="work"/> on the calling (dedicated) thread and puts the thread back into
    /// the network namespace it started in, whatever happens. The thread ends right after, so even
    /// a failed switch back cannot leak a namespace into other work.
    /// </summary>
    private static T WithHomeRestored<T>(Func<T> work)
    {
        int home = Open(ThreadNetns, ORdOnly | OCloexec, 0);
        if (home < 0)
        {
            throw ErrnoException.Last($"open {ThreadNetns}");
        }
        try
        {
            return work();
        }
        finally
        {
            _ = SetNs(home, CloneNewNet);
            _ = Close(home);
        }
    }

    private static Task<T> OnOwnThread<T>(Func<T> work, string name)
    {
        var done = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            try
            {
                done.SetResult(work());
            }
            catch (Exception e)
            {
                done.SetException(e);
            }
        }, StackSize)
        {
            IsBackground = true,
            Name = name,
        };
        thread.UnsafeStart();
        return done.Task;
    }

    internal static void CloseFd(int fd) => _ = Close(fd);

    private static void Check(int result, string operation)
    {
        if (result != 0)
        {
            throw ErrnoException.Last(operation);
        }
    }

    [LibraryImport("libc", EntryPoint = "unshare", SetLastError = true)]
    private static partial int Unshare(int flags);

    [LibraryImport("libc", EntryPoint = "setns", SetLastError = true)]
    private static partial int SetNs(int fd, int nstype);

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags, uint mode);

    [LibraryImport("libc", EntryPoint = "close")]
    private static partial int Close(int fd);

    [LibraryImport("libc", EntryPoint = "mount", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Mount(string source, string target, string? type, ulong flags, nint data);

    [LibraryImport("libc", EntryPoint = "umount2", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Umount2(string target, int flags);

    [LibraryImport("libc", EntryPoint = "statfs", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static unsafe partial int StatFs(string path, byte* buffer);
}

/// <summary>An open namespace file descriptor; closed on dispose.</summary>
public sealed class NamespaceFd : IDisposable
{
    private int _fd;

    internal NamespaceFd(int fd)
    {
        _fd = fd;
    }

    public int Fd => _fd >= 0 ? _fd : throw new ObjectDisposedException(nameof(NamespaceFd));

    public void Dispose()
    {
        int fd = Interlocked.Exchange(ref _fd, -1);
        if (fd >= 0)
        {
            NetworkNamespaces.CloseFd(fd);
        }
    }
}
