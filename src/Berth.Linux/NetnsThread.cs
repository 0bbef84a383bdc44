using System.Runtime.InteropServices;

namespace Berth.Linux;

/// <summary>
/// Runs a short action with the calling thread switched into another network namespace, for
/// creating sockets that must live there (a socket keeps the namespace it was created in, on
/// whichever thread later uses it). setns(CLONE_NEWNET) is per thread and allowed in a
/// multi-threaded process, so a dedicated thread enters, acts, switches back, and ends; if
/// switching back fails the thread simply ends, never returning to a pool in the wrong namespace.
/// </summary>
public static partial class NetnsThread
{
    private const int CloneNewNet = 0x40000000;
    private const int ReadOnlyCloexec = 0x80000; // O_RDONLY | O_CLOEXEC

    [LibraryImport("libc", EntryPoint = "setns", SetLastError = true)]
    private static partial int SetNs(int fd, int nstype);

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "close")]
    private static partial int Close(int fd);

    /// <summary>Runs <paramref name="action"/> inside the namespace at <paramref name="netnsPath"/> (a pinned nsfs file or /proc/PID/ns/net).</summary>
    public static T Run<T>(string netnsPath, Func<T> action)
    {
        T? result = default;
        Exception? error = null;
        var thread = new Thread(() =>
        {
            try
            {
                result = RunOnThisThread(netnsPath, action);
            }
            catch (Exception e)
            {
                error = e;
            }
        })
        {
            IsBackground = true,
            Name = "berth-netns",
        };
        thread.Start();
        thread.Join();
        if (error is not null)
        {
            throw error;
        }
        return result!;
    }

    private static T RunOnThisThread<T>(string netnsPath, Func<T> action)
    {
        int home = Open("/proc/thread-self/ns/net", ReadOnlyCloexec);
        if (home < 0)
        {
            throw ErrnoException.Last("open /proc/thread-self/ns/net");
        }
        try
        {
            int target = Open(netnsPath, ReadOnlyCloexec);
            if (target < 0)
            {
                throw ErrnoException.Last($"open {netnsPath}");
            }
            try
            {
                if (SetNs(target, CloneNewNet) != 0)
                {
                    throw ErrnoException.Last($"setns {netnsPath}");
                }
            }
            finally
            {
                _ = Close(target);
            }
            try
            {
                return action();
            }
            finally
            {
                // Failing here leaves only this dedicated thread in the container's namespace, and it is about to end.
                _ = SetNs(home, CloneNewNet);
            }
        }
        finally
        {
            _ = Close(home);
        }
    }
}
