using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace Berth.Linux;

/// <summary>
/// One inotify instance shared by every log follower and log rotator of the daemon. .NET's
/// FileSystemWatcher opens an inotify instance per watcher, and the kernel allows only 128 per
/// user (fs.inotify.max_user_instances): a few hundred `docker logs -f` would exhaust them.
/// Directories are watched (not files), so a watch survives the file being renamed and recreated
/// (conmon's log reopen); subscribers get the changed entry's name and filter themselves.
/// Callbacks run on the watcher's thread and must only signal (release a semaphore, set a flag).
/// </summary>
public sealed partial class DirectoryWatcher : IDisposable
{
    private const uint InModify = 0x2;
    private const uint InMovedFrom = 0x40;
    private const uint InMovedTo = 0x80;
    private const uint InCreate = 0x100;
    private const uint InDelete = 0x200;
    private const uint InQueueOverflow = 0x4000;
    private const uint InIgnored = 0x8000;
    private const uint InOnlyDir = 0x01000000;
    private const uint Mask = InModify | InMovedFrom | InMovedTo | InCreate | InDelete | InOnlyDir;
    private const int InNonblock = 0x800;
    private const int InCloexec = 0x80000;
    private const short PollIn = 1;

    private static readonly Lazy<DirectoryWatcher> SharedInstance = new(() => new DirectoryWatcher());

    private readonly Lock _lock = new();
    private readonly Dictionary<int, List<Subscription>> _byWatch = [];
    private readonly Dictionary<string, int> _watchOf = new(StringComparer.Ordinal);
    private readonly Thread _thread;
    private readonly int _fd;
    private volatile bool _disposed;

    public DirectoryWatcher()
    {
        _fd = InotifyInit1(InNonblock | InCloexec);
        if (_fd < 0)
        {
            throw Libc.Error("inotify_init1", Marshal.GetLastPInvokeError());
        }
        _thread = new Thread(Run) { IsBackground = true, Name = "berth-inotify" };
        _thread.Start();
    }

    /// <summary>The daemon-wide instance (created on first use, lives as long as the process).</summary>
    public static DirectoryWatcher Shared => SharedInstance.Value;

    /// <summary>
    /// Calls <paramref name="changed"/> with the entry name for every change in
    /// <paramref name="directory"/> (null after a queue overflow: anything may have changed).
    /// Returns null when the directory does not exist.
    /// </summary>
    public IDisposable? Watch(string directory, Action<string?> changed)
    {
        var subscription = new Subscription(this, changed);
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (!_watchOf.TryGetValue(directory, out int wd))
            {
                wd = InotifyAddWatch(_fd, directory, Mask);
                if (wd < 0)
                {
                    return null;
                }
                _watchOf[directory] = wd;
                if (!_byWatch.ContainsKey(wd))
                {
                    _byWatch[wd] = [];
                }
            }
            subscription.Wd = wd;
            subscription.Directory = directory;
            _byWatch[wd].Add(subscription);
        }
        return subscription;
    }

    public void Dispose()
    {
        _disposed = true;
        if (Thread.CurrentThread != _thread)
        {
            _thread.Join();
        }
        _ = CloseNative(_fd);
    }

    private void Unsubscribe(Subscription s)
    {
        lock (_lock)
        {
            if (!_byWatch.TryGetValue(s.Wd, out var list) || !list.Remove(s) || list.Count > 0)
            {
                return;
            }
            _byWatch.Remove(s.Wd);
            if (_watchOf.TryGetValue(s.Directory, out int wd) && wd == s.Wd)
            {
                _watchOf.Remove(s.Directory);
            }
            if (!_disposed)
            {
                _ = InotifyRmWatch(_fd, s.Wd);
            }
        }
    }

    private unsafe void Run()
    {
        byte[] buffer = new byte[64 * 1024];
        var fds = new PollFd { Fd = _fd, Events = PollIn };
        while (!_disposed)
        {
            // A timeout rather than a wake-up fd: Dispose only happens at process end and in tests.
            if (Poll(&fds, 1, 250) <= 0)
            {
                continue;
            }
            nint n;
            fixed (byte* p = buffer)
            {
                n = ReadNative(_fd, p, buffer.Length);
            }
            if (n <= 0)
            {
                continue;
            }
            Dispatch(buffer.AsSpan(0, (int)n));
        }
    }

    private void Dispatch(ReadOnlySpan<byte> events)
    {
        // struct inotify_event { int wd; uint32 mask; uint32 cookie; uint32 len; char name[len]; }
        while (events.Length >= 16)
        {
            int wd = BinaryPrimitives.ReadInt32LittleEndian(events);
            uint mask = BinaryPrimitives.ReadUInt32LittleEndian(events[4..]);
            int len = (int)BinaryPrimitives.ReadUInt32LittleEndian(events[12..]);
            ReadOnlySpan<byte> rawName = events.Slice(16, len);
            int nul = rawName.IndexOf((byte)0);
            string? name = len == 0 ? null : System.Text.Encoding.UTF8.GetString(nul >= 0 ? rawName[..nul] : rawName);
            events = events[(16 + len)..];
            Subscription[] targets;
            lock (_lock)
            {
                if ((mask & InQueueOverflow) != 0)
                {
                    targets = [.. _byWatch.Values.SelectMany(l => l)];
                    name = null;
                }
                else if (_byWatch.TryGetValue(wd, out var list))
                {
                    targets = [.. list];
                    if ((mask & InIgnored) != 0)
                    {
                        // The directory is gone: the kernel dropped the watch. Subscribers fall
                        // back to their poll; a later Watch of the same path adds a new one.
                        _byWatch.Remove(wd);
                        foreach (var (dir, w) in _watchOf.Where(kv => kv.Value == wd).ToList())
                        {
                            _watchOf.Remove(dir);
                        }
                    }
                }
                else
                {
                    continue;
                }
            }
            foreach (Subscription s in targets)
            {
                s.Changed(name);
            }
        }
    }

    private sealed class Subscription(DirectoryWatcher owner, Action<string?> changed) : IDisposable
    {
        private int _disposed;

        public int Wd { get; set; }

        public string Directory { get; set; } = "";

        public Action<string?> Changed { get; } = changed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                owner.Unsubscribe(this);
            }
        }
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct PollFd
    {
        public int Fd;
        public short Events;
        public short Revents;
    }

    [LibraryImport("libc", EntryPoint = "inotify_init1", SetLastError = true)]
    private static partial int InotifyInit1(int flags);

    [LibraryImport("libc", EntryPoint = "inotify_add_watch", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int InotifyAddWatch(int fd, string path, uint mask);

    [LibraryImport("libc", EntryPoint = "inotify_rm_watch")]
    private static partial int InotifyRmWatch(int fd, int wd);

    [LibraryImport("libc", EntryPoint = "read", SetLastError = true)]
    private static unsafe partial nint ReadNative(int fd, byte* buffer, nint count);

    [LibraryImport("libc", EntryPoint = "close")]
    private static partial int CloseNative(int fd);

    [LibraryImport("libc", EntryPoint = "poll", SetLastError = true)]
    private static unsafe partial int Poll(PollFd* fds, nuint count, int timeoutMs);
}
