using System.Collections.Concurrent;
using System.Globalization;

namespace Berth.Runtime.Monitor;

/// <summary>
/// Watches the shared exit dir where conmon drops &lt;id&gt; files holding the exit code. One
/// watcher (one inotify instance) serves every container, so the per-user inotify instance
/// limit (128 by default) does not cap the number of containers. conmon writes the file under
/// a temporary name and renames it: the event that matters is IN_MOVED_TO (Renamed).
/// </summary>
internal sealed class ExitWatcher : IDisposable
{
    private readonly string _dir;
    private readonly FileSystemWatcher _watcher;
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _waiters = new(StringComparer.Ordinal);

    public ExitWatcher(string dir)
    {
        _dir = dir;
        Directory.CreateDirectory(dir);
        _watcher = new FileSystemWatcher(dir) { NotifyFilter = NotifyFilters.FileName, IncludeSubdirectories = false };
        _watcher.Renamed += (_, e) => Signal(e.Name);
        _watcher.Created += (_, e) => Signal(e.Name);
        _watcher.Error += (_, _) => SignalAll(); // queue overflow: let every waiter re-check its file
        _watcher.EnableRaisingEvents = true;
    }

    public string FilePath(string id) => Path.Combine(_dir, id);

    /// <summary>Completes when the exit file of <paramref name="id"/> exists, or when <paramref name="recheckAfter"/> passes (then re-check the monitor's health).</summary>
    public async Task<bool> WaitAsync(string id, TimeSpan recheckAfter, CancellationToken cancellationToken)
    {
        TaskCompletionSource tcs = _waiters.GetOrAdd(id, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        if (File.Exists(FilePath(id))) // registered first, then checked: no lost wake-up
        {
            return true;
        }
        Task delay = Task.Delay(recheckAfter, cancellationToken);
        Task done = await Task.WhenAny(tcs.Task, delay).ConfigureAwait(false);
        if (done == delay)
        {
            await delay.ConfigureAwait(false); // throws when cancelled
        }
        return File.Exists(FilePath(id));
    }

    /// <summary>Exit code from the file; null while it is missing or still incomplete.</summary>
    public int? TryRead(string id) => TryReadCode(FilePath(id));

    public static int? TryReadCode(string path)
    {
        try
        {
            return int.TryParse(File.ReadAllText(path).Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int code) ? code : null;
        }
        catch (FileNotFoundException)
        {
            return null;
        }
        catch (DirectoryNotFoundException)
        {
            return null;
        }
    }

    public void Forget(string id) => _waiters.TryRemove(id, out _);

    public void Dispose() => _watcher.Dispose();

    private void Signal(string? name)
    {
        if (name is not null && _waiters.TryRemove(name, out TaskCompletionSource? tcs))
        {
            tcs.TrySetResult();
        }
    }

    private void SignalAll()
    {
        foreach (string id in _waiters.Keys)
        {
            Signal(id);
        }
    }
}
