using System.Diagnostics;
using System.Text;
using Berth.IntegrationTests.Harness;

namespace Berth.IntegrationTests.Resilience;

/// <summary>
/// The kill -9 and restart every KillDuring* test does, and the on-disk checks after it: nothing
/// half-written (temp files, spools, build scratch, unfinished layer directories) may survive the
/// start-up sweep.
/// </summary>
internal static class CrashChecks
{
    public static async Task KillAndRestartAsync(BerthDaemon daemon)
    {
        daemon.KillHard();
        await daemon.WaitForExitAsync(TimeSpan.FromSeconds(10));
        await daemon.RestartAsync();
    }

    /// <summary>Layer directories in the overlay store (the "l" link directory left out).</summary>
    public static SortedSet<string> LayerDirectories(BerthDaemon daemon)
    {
        string overlay = Path.Combine(daemon.DataRoot, "overlay");
        return Directory.Exists(overlay)
            ? new SortedSet<string>(Directory.EnumerateDirectories(overlay).Select(d => Path.GetFileName(d)!).Where(n => n != "l"), StringComparer.Ordinal)
            : new SortedSet<string>(StringComparer.Ordinal);
    }

    /// <summary>Temp leftovers in the data root: *.tmp / *.tmp-* files, overlay tmp-* directories, anything in tmp/.</summary>
    public static List<string> HalfDone(BerthDaemon daemon)
    {
        var found = new List<string>();
        string tmp = Path.Combine(daemon.DataRoot, "tmp");
        if (Directory.Exists(tmp))
        {
            found.AddRange(Directory.EnumerateFileSystemEntries(tmp).Select(p => "spool: " + p));
        }
        found.AddRange(LayerDirectories(daemon).Where(n => n.StartsWith("tmp-", StringComparison.Ordinal)).Select(n => "layer: " + n));
        var pending = new Stack<string>();
        pending.Push(daemon.DataRoot);
        while (pending.Count > 0)
        {
            string dir = pending.Pop();
            foreach (var entry in new DirectoryInfo(dir).EnumerateFileSystemInfos())
            {
                // Layer contents are image data, not daemon state.
                bool layerContent = Path.GetDirectoryName(dir) == Path.Combine(daemon.DataRoot, "overlay")
                    && entry.Name is "diff" or "work" or "merged";
                if (entry.Name.EndsWith(".tmp", StringComparison.Ordinal) || entry.Name.Contains(".tmp-", StringComparison.Ordinal))
                {
                    found.Add("temp: " + entry.FullName);
                }
                if (entry is DirectoryInfo && entry.LinkTarget is null && !layerContent)
                {
                    pending.Push(entry.FullName);
                }
            }
        }
        return found;
    }

    public static void AssertNothingHalfDone(BerthDaemon daemon)
    {
        var found = HalfDone(daemon);
        Assert.True(found.Count == 0, "half-done state on disk:\n" + string.Join("\n", found));
    }

    /// <summary>`docker images` as sorted "repo:tag id" lines, intermediate images included (-a).</summary>
    public static async Task<List<string>> ImagesAsync(DockerCli docker)
    {
        string text = await docker.RunOkAsync("images", "-a", "--no-trunc", "--format", "{{.Repository}}:{{.Tag}} {{.ID}}");
        return [.. text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Order(StringComparer.Ordinal)];
    }
}

/// <summary>A docker CLI process whose output the test reads while it runs (attach, logs -f).</summary>
internal sealed class StreamingCli : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _stdout = new();
    private readonly StringBuilder _stderr = new();
    private readonly Lock _lock = new();

    public StreamingCli(DockerCli docker, params string[] args)
    {
        var info = new ProcessStartInfo(docker.Executable)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add("-H");
        info.ArgumentList.Add(docker.Host!);
        foreach (string arg in args)
        {
            info.ArgumentList.Add(arg);
        }
        info.Environment["DOCKER_CONFIG"] = docker.ConfigDir;
        info.Environment.Remove("DOCKER_HOST");
        _process = new Process { StartInfo = info };
        _process.OutputDataReceived += (_, e) => Append(_stdout, e.Data);
        _process.ErrorDataReceived += (_, e) => Append(_stderr, e.Data);
        _process.Start();
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public string Stdout
    {
        get
        {
            lock (_lock)
            {
                return _stdout.ToString();
            }
        }
    }

    public string Stderr
    {
        get
        {
            lock (_lock)
            {
                return _stderr.ToString();
            }
        }
    }

    /// <summary>Waits for the process to end; returns its exit code.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cts.Token);
        return _process.ExitCode;
    }

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill();
                _process.WaitForExit(5000);
            }
        }
        catch (InvalidOperationException)
        {
        }
        _process.Dispose();
    }

    private void Append(StringBuilder target, string? line)
    {
        if (line is null)
        {
            return;
        }
        lock (_lock)
        {
            target.Append(line).Append('\n');
        }
    }
}
