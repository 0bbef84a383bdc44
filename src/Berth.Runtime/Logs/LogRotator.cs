using System.Globalization;
using System.IO.Compression;
using Berth.Engine.Containers.Logs;
using Berth.Linux;

namespace Berth.Runtime.Logs;

/// <summary>
/// dockerd's max-size/max-file for conmon's log: conmon's own --log-size-max throws the old
/// content away, so the daemon rotates instead. Each change event of a tracked log checks its
/// size; at max-size the set is shifted (.1 → .2 …, the oldest beyond max-file deleted), the
/// current file renamed to .1, and conmon told to reopen (it creates a fresh file at the path;
/// until then it keeps writing into .1, so nothing is lost). With max-file 1 the old file is
/// dropped instead; with compress, .1 becomes .1.gz once conmon has let go of it. While no
/// daemon runs nothing rotates; tracking again after a restart rotates at the first check.
/// </summary>
public sealed class LogRotator
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, Tracked> _tracked = new(StringComparer.Ordinal);

    /// <summary>How long compression waits for conmon to reopen before compressing anyway.</summary>
    public TimeSpan ReopenWait { get; init; } = TimeSpan.FromSeconds(2);

    public void Track(string id, string logPath, LogFileLimits limits, Action reopen)
    {
        if (limits.MaxSize is null)
        {
            return;
        }
        var tracked = new Tracked(this, logPath, limits, reopen);
        lock (_lock)
        {
            if (_tracked.Remove(id, out Tracked? old))
            {
                old.Stop();
            }
            _tracked[id] = tracked;
        }
        tracked.Start();
    }

    public void Untrack(string id)
    {
        Tracked? tracked;
        lock (_lock)
        {
            _tracked.Remove(id, out tracked);
        }
        tracked?.Stop();
    }

    /// <summary>The limits a container was tracked with, for tests and recovery.</summary>
    public bool IsTracking(string id)
    {
        lock (_lock)
        {
            return _tracked.ContainsKey(id);
        }
    }

    /// <summary>
    /// Renames for one rotation (pure: the plan is unit-tested): returns (from, to) pairs in the
    /// order to apply, the deletes first. <paramref name="exists"/> tells which names exist.
    /// </summary>
    public static (List<string> Delete, List<(string From, string To)> Renames) Plan(string path, int maxFiles, Func<string, bool> exists)
    {
        var delete = new List<string>();
        var renames = new List<(string, string)>();
        if (maxFiles <= 1)
        {
            return (delete, renames);
        }
        foreach (string oldest in new[] { LogFileSet.RotatedName(path, maxFiles - 1), LogFileSet.RotatedName(path, maxFiles - 1) + ".gz" })
        {
            if (exists(oldest))
            {
                delete.Add(oldest);
            }
        }
        for (int i = maxFiles - 2; i >= 1; i--)
        {
            foreach (string suffix in new[] { "", ".gz" })
            {
                string from = LogFileSet.RotatedName(path, i) + suffix;
                if (exists(from))
                {
                    renames.Add((from, LogFileSet.RotatedName(path, i + 1) + suffix));
                }
            }
        }
        renames.Add((path, LogFileSet.RotatedName(path, 1)));
        return (delete, renames);
    }

    private sealed class Tracked(LogRotator owner, string path, LogFileLimits limits, Action reopen)
    {
        private readonly Lock _gate = new();
        private readonly string _name = Path.GetFileName(path);
        private IDisposable? _watch;
        private int _pending;
        private bool _stopped;

        public void Start()
        {
            string? dir = Path.GetDirectoryName(path);
            _watch = dir is null ? null : DirectoryWatcher.Shared.Watch(dir, name =>
            {
                if (name is null || name == _name)
                {
                    Schedule();
                }
            });
            Schedule(); // a log that grew while no daemon ran
        }

        public void Stop()
        {
            lock (_gate)
            {
                _stopped = true;
            }
            _watch?.Dispose();
        }

        private void Schedule()
        {
            // On the watcher's thread: a stat, and at the limit a few renames and one fifo write,
            // so a busy container overshoots max-size by milliseconds of output, not by a
            // thread-pool hop. Compression, and a check that finds the gate busy, go to the pool.
            if (_gate.TryEnter())
            {
                try
                {
                    CheckLocked();
                }
                finally
                {
                    _gate.Exit();
                }
                return;
            }
            if (Interlocked.Exchange(ref _pending, 1) == 0)
            {
                ThreadPool.UnsafeQueueUserWorkItem(static t => t.Check(), this, preferLocal: false);
            }
        }

        private void Check()
        {
            Volatile.Write(ref _pending, 0);
            lock (_gate)
            {
                CheckLocked();
            }
        }

        private void CheckLocked()
        {
            if (_stopped || Libc.FileStat(path) is not { } stat || stat.Size < limits.MaxSize)
            {
                return;
            }
            try
            {
                Rotate((stat.Device, stat.Inode));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or Engine.Errors.DaemonException)
            {
                // The container may have exited between the check and the reopen: its next
                // start opens a fresh file anyway. Nothing to report to anyone.
            }
        }

        private void Rotate((ulong, ulong) rotatedIdentity)
        {
            if (limits.MaxFiles <= 1)
            {
                // Dropped rather than truncated in place: a follower holding it reads on undisturbed.
                string doomed = path + ".rotating";
                File.Move(path, doomed, overwrite: true);
                TryReopen();
                File.Delete(doomed);
                return;
            }
            var (delete, renames) = Plan(path, limits.MaxFiles, File.Exists);
            foreach (string d in delete)
            {
                File.Delete(d);
            }
            foreach (var (from, to) in renames)
            {
                File.Move(from, to, overwrite: true);
            }
            TryReopen();
            if (limits.Compress)
            {
                string rotated = LogFileSet.RotatedName(path, 1);
                ThreadPool.UnsafeQueueUserWorkItem(_ =>
                {
                    lock (_gate)
                    {
                        try
                        {
                            Compress(rotated, rotatedIdentity);
                        }
                        catch (IOException)
                        {
                            // left uncompressed: readers take .1 as well as .1.gz
                        }
                    }
                }, null);
            }
        }

        private void TryReopen()
        {
            try
            {
                reopen();
            }
            catch (Engine.Errors.DaemonException)
            {
                // The monitor is gone (the container just exited): its next start opens a new file.
            }
        }

        /// <summary>Gzips .1 once conmon writes to its new file (the old one is final then).</summary>
        private void Compress(string rotated, (ulong, ulong) rotatedIdentity)
        {
            // Not skipped after Stop: a container that exits right after a rotation still gets
            // its rotated file compressed (the file is final either way).
            if (Libc.FileIdentity(rotated) != rotatedIdentity)
            {
                return; // rotated again meanwhile: .1 is a newer file now
            }
            var deadline = DateTime.UtcNow + owner.ReopenWait;
            while (DateTime.UtcNow < deadline && Libc.FileIdentity(path) is var id && (id is null || id == rotatedIdentity))
            {
                Thread.Sleep(5);
            }
            string temp = rotated + ".gz.tmp";
            using (var source = new FileStream(rotated, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete))
            using (var target = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None))
            using (var gzip = new GZipStream(target, CompressionLevel.Fastest))
            {
                source.CopyTo(gzip);
            }
            File.Move(temp, rotated + ".gz", overwrite: true);
            File.Delete(rotated);
        }

        public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{path} ({limits.MaxSize} × {limits.MaxFiles})");
    }
}
