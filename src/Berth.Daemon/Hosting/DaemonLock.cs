using System.Globalization;
using Berth.Linux;

namespace Berth.Daemon.Hosting;

/// <summary>
/// Exclusive locks that keep a second berthd off the same pidfile, data-root or exec-root.
/// .NET takes an flock(LOCK_EX|LOCK_NB) for FileShare.None on Unix; the kernel drops it when the
/// process dies, so a pidfile left behind by kill -9 is simply taken over.
/// </summary>
public sealed class DaemonLock : IDisposable
{
    private readonly List<(string Path, FileStream Stream, bool Delete)> _held = [];

    private DaemonLock()
    {
    }

    /// <summary>Takes every lock or none; returns a one-line reason on failure. An empty pidfile means none.</summary>
    public static DaemonLock Acquire(string pidFile, string dataRoot, string execRoot, out string? error)
    {
        var locks = new DaemonLock();
        error = locks.Take(Path.Combine(dataRoot, "berthd.lock"), $"data-root {dataRoot}", delete: false)
            ?? locks.Take(Path.Combine(execRoot, "berthd.lock"), $"exec-root {execRoot}", delete: true)
            ?? (pidFile.Length == 0 ? null : locks.Take(pidFile, $"pidfile {pidFile}", delete: true));
        if (error is not null)
        {
            locks.Dispose();
        }
        return locks;
    }

    private string? Take(string path, string what, bool delete)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        FileStream stream;
        try
        {
            stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException)
        {
            string holder = ReadPid(path) is { } pid ? $" (pid {pid})" : "";
            return $"another berthd is already running with {what}{holder}; stop it first or choose other roots";
        }
        // The pid is what operators and init scripts read; rewrite it in place under the lock.
        stream.SetLength(0);
        var bytes = System.Text.Encoding.ASCII.GetBytes(Libc.GetPid().ToString(CultureInfo.InvariantCulture) + "\n");
        stream.Write(bytes);
        stream.Flush(flushToDisk: true);
        _held.Add((path, stream, delete));
        return null;
    }

    private static string? ReadPid(string path)
    {
        string? text = Libc.ReadSmallFileUnlocked(path)?.Trim();
        return string.IsNullOrEmpty(text) ? null : text;
    }

    public void Dispose()
    {
        for (int i = _held.Count - 1; i >= 0; i--)
        {
            var (path, stream, delete) = _held[i];
            if (delete)
            {
                File.Delete(path);
            }
            stream.Dispose();
        }
        _held.Clear();
    }
}
