using System.Diagnostics;

namespace Berth.Networking.Firewall;

/// <summary>Runs iptables-save / iptables-restore; an interface so the service can be tested without root.</summary>
public interface IIptables
{
    /// <summary>The lines of <c>iptables-save -t TABLE</c> (comments and counters stripped).</summary>
    IReadOnlyList<string> Save(string table);

    /// <summary>Feeds input to <c>iptables-restore --noflush</c>; throws with iptables' own message on failure.</summary>
    void Restore(string input);
}

/// <summary>The real binaries. One restore per change keeps each change atomic per table.</summary>
public sealed class IptablesCommands : IIptables
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private readonly string _save;
    private readonly string _restore;

    public IptablesCommands(string save = "iptables-save", string restore = "iptables-restore")
    {
        _save = save;
        _restore = restore;
    }

    public IReadOnlyList<string> Save(string table)
    {
        var (code, stdout, stderr) = Run(_save, ["-t", table], null);
        if (code != 0)
        {
            throw new InvalidOperationException($"iptables-save -t {table} failed: {stderr.Trim()}");
        }
        return stdout.Split('\n').Where(l => l.Length > 0 && l[0] != '#')
            .Select(l => l.StartsWith(':') ? StripCounters(l) : l).ToList();
    }

    public void Restore(string input)
    {
        // -w: wait for the xtables lock instead of failing when another tool holds it.
        // A retry covers nf_tables generation races with other writers (e.g. parallel daemons).
        for (int attempt = 1; ; attempt++)
        {
            var (code, _, stderr) = Run(_restore, ["--noflush", "-w"], input);
            if (code == 0)
            {
                return;
            }
            if (attempt == 3)
            {
                throw new InvalidOperationException($"iptables-restore failed: {stderr.Trim()}\ninput:\n{input}");
            }
            Thread.Sleep(50 * attempt);
        }
    }

    /// <summary>":CHAIN POLICY [p:b]" → ":CHAIN POLICY [0:0]" so lines compare stably.</summary>
    private static string StripCounters(string line)
    {
        int bracket = line.LastIndexOf('[');
        return bracket > 0 ? line[..bracket] + "[0:0]" : line;
    }

    private static (int Code, string Stdout, string Stderr) Run(string file, string[] args, string? input)
    {
        var start = new ProcessStartInfo(file)
        {
            RedirectStandardInput = input is not null,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"cannot start {file}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (input is not null)
        {
            process.StandardInput.Write(input);
            process.StandardInput.Close();
        }
        if (!process.WaitForExit(Timeout))
        {
            process.Kill();
            throw new TimeoutException($"{file} did not finish within {Timeout.TotalSeconds} s");
        }
        return (process.ExitCode, stdout.GetAwaiter().GetResult(), stderr.GetAwaiter().GetResult());
    }
}
