using System.Diagnostics;
using System.Text;

namespace Berth.IntegrationTests.Harness;

/// <summary>The outcome of one finished (or timed-out) child process.</summary>
public sealed record ProcessResult(string FileName, IReadOnlyList<string> Arguments, int ExitCode, string Stdout, string Stderr, bool TimedOut, TimeSpan Elapsed)
{
    public bool Succeeded => ExitCode == 0 && !TimedOut;

    /// <summary>Throws with the full command line, exit code and both streams unless exit code 0.</summary>
    public ProcessResult EnsureSuccess()
    {
        if (!Succeeded)
        {
            throw new InvalidOperationException($"command failed:\n{this}");
        }
        return this;
    }

    public override string ToString() =>
        $"$ {FileName} {string.Join(' ', Arguments.Select(Quote))}\n" +
        $"exit: {(TimedOut ? "TIMED OUT" : ExitCode.ToString(System.Globalization.CultureInfo.InvariantCulture))} after {Elapsed.TotalMilliseconds:F0} ms\n" +
        $"--- stdout ---\n{Stdout}\n--- stderr ---\n{Stderr}";

    private static string Quote(string arg) => arg.Length > 0 && !arg.Any(c => char.IsWhiteSpace(c) || c is '"' or '\'' or '{' or '}') ? arg : $"'{arg.Replace("'", "'\\''", StringComparison.Ordinal)}'";
}

/// <summary>Runs short-lived helper processes (docker CLI, openssl, stat) with a hard timeout.</summary>
public static class ProcessRunner
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(60);

    /// <param name="environment">Variables to set; a null value removes the variable.</param>
    public static async Task<ProcessResult> RunAsync(
        string fileName,
        IEnumerable<string> arguments,
        string? stdin = null,
        IReadOnlyDictionary<string, string?>? environment = null,
        TimeSpan? timeout = null,
        string? workingDirectory = null)
    {
        var args = arguments.ToList();
        var psi = new ProcessStartInfo(fileName)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        if (workingDirectory is not null)
        {
            psi.WorkingDirectory = workingDirectory;
        }
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }
        foreach (var (key, value) in environment ?? new Dictionary<string, string?>())
        {
            if (value is null)
            {
                psi.Environment.Remove(key);
            }
            else
            {
                psi.Environment[key] = value;
            }
        }

        var watch = Stopwatch.StartNew();
        using var process = Process.Start(psi) ?? throw new InvalidOperationException($"could not start {fileName}");
        var stdoutTask = process.StandardOutput.ReadToEndAsync();
        var stderrTask = process.StandardError.ReadToEndAsync();
        try
        {
            if (stdin is not null)
            {
                await process.StandardInput.WriteAsync(stdin);
            }
            process.StandardInput.Close();
        }
        catch (IOException)
        {
            // The child exited before reading its input; its exit code tells the story.
        }

        bool timedOut = false;
        using (var cts = new CancellationTokenSource(timeout ?? DefaultTimeout))
        {
            try
            {
                await process.WaitForExitAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                timedOut = true;
                // Only the process this call started (and its children).
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
            }
        }
        string stdout = await stdoutTask;
        string stderr = await stderrTask;
        return new ProcessResult(fileName, args, timedOut ? -1 : process.ExitCode, stdout, stderr, timedOut, watch.Elapsed);
    }
}
