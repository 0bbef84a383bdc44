using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Berth.Engine.Errors;

namespace Berth.Runtime.Oci;

/// <summary>
/// Drives runc or crun (same CLI surface) through their command line. Plain Process.Start is
/// enough here: these calls need no inherited fds, only stdin/stdout/stderr.
/// </summary>
public sealed partial class RuncRuntime : IOciRuntime
{
    private readonly TimeSpan _timeout;

    /// <param name="name">Runtime name ("runc", "crun").</param>
    /// <param name="path">Absolute path of the binary.</param>
    /// <param name="execRoot">Daemon exec root; the runtime state goes to &lt;execRoot&gt;/runtime/&lt;name&gt;.</param>
    /// <param name="timeout">Per-call limit; a hung runtime (e.g. on a frozen cgroup) is killed after it.</param>
    /// <param name="runtimeArgs">The configured runtimeArgs, placed before --root in every call.</param>
    /// <param name="launcher">A command that runs the binary (its last word is <paramref name="path"/>), see <see cref="RuntimeLauncher"/>; null runs it directly.</param>
    public RuncRuntime(string name, string path, string execRoot, TimeSpan? timeout = null,
        IReadOnlyList<string>? runtimeArgs = null, IReadOnlyList<string>? launcher = null)
    {
        if (!System.IO.Path.IsPathFullyQualified(path))
        {
            throw DaemonException.InvalidParameter($"runtime path must be absolute: {path}");
        }
        Name = name;
        Binary = path;
        // Each runtime keeps its state apart: <exec-root>/runtime/<name> (runc's path as before).
        Root = System.IO.Path.Combine(execRoot, "runtime", name);
        _timeout = timeout ?? TimeSpan.FromMinutes(2);
        List<string> global = launcher is { Count: > 0 } ? [.. launcher.Skip(1)] : [];
        global.AddRange(runtimeArgs ?? []);
        global.Add($"--root={Root}");
        Path = launcher is { Count: > 0 } ? launcher[0] : path;
        GlobalArguments = global;
    }

    /// <summary>What the binary is and which spec it declares (from --version), for <see cref="Spec.RuntimeSpecAdapter"/>.</summary>
    public RuntimeTraits Traits { get; init; } = RuntimeTraits.Runc;

    /// <summary>The runtime binary itself (<see cref="Path"/> is what gets executed: the binary or its launcher).</summary>
    public string Binary { get; }

    public string Name { get; }

    public string Path { get; }

    public string Root { get; }

    public IReadOnlyList<string> GlobalArguments { get; }

    public Task StartAsync(string id, CancellationToken cancellationToken = default) =>
        RunCheckedAsync("start", id, ["start", id], null, cancellationToken);

    /// <summary>
    /// `start` of a created container whose init is <paramref name="initPid"/>: for runc run
    /// directly (no launcher), through its exec fifo (<see cref="ExecFifo"/>); otherwise the binary.
    /// </summary>
    public Task StartAsync(string id, int initPid, CancellationToken cancellationToken = default)
    {
        string fifo = ExecFifo.PathFor(Root, id);
        if (Traits.Implementation != "runc" || Path != Binary || initPid <= 0 || !File.Exists(fifo))
        {
            return StartAsync(id, cancellationToken);
        }
        return StartThroughFifoAsync(id, fifo, initPid);
    }

    private async Task StartThroughFifoAsync(string id, string fifo, int initPid)
    {
        try
        {
            await ExecFifo.ReleaseAsync(fifo, initPid).ConfigureAwait(false);
        }
        catch (InvalidOperationException e)
        {
            throw RuntimeErrors.ToException(Name, "start", id, e.Message);
        }
    }

    public Task KillAsync(string id, int signal, bool all = false, CancellationToken cancellationToken = default)
    {
        string sig = signal.ToString(CultureInfo.InvariantCulture);
        return RunCheckedAsync("kill", id, all ? ["kill", "--all", id, sig] : ["kill", id, sig], null, cancellationToken);
    }

    public async Task DeleteAsync(string id, bool force = false, CancellationToken cancellationToken = default)
    {
        if (TryDeleteStopped(id))
        {
            return;
        }
        RunResult r = await RunAsync(force ? ["delete", "--force", id] : ["delete", id], null, cancellationToken).ConfigureAwait(false);
        if (r.ExitCode != 0)
        {
            string message = RuntimeErrors.ExtractMessage(r.Stderr + "\n" + r.Stdout);
            if (RuntimeErrors.Classify("delete", message) == ErrorKind.NotFound)
            {
                return; // already gone: delete is idempotent for callers
            }
            throw RuntimeErrors.ToException(Name, "delete", id, message);
        }
    }

    public async Task<OciState?> StateAsync(string id, CancellationToken cancellationToken = default)
    {
        RunResult r = await RunAsync(["state", id], null, cancellationToken).ConfigureAwait(false);
        if (r.ExitCode != 0)
        {
            string message = RuntimeErrors.ExtractMessage(r.Stderr + "\n" + r.Stdout);
            if (RuntimeErrors.Classify("state", message) == ErrorKind.NotFound)
            {
                return null;
            }
            throw RuntimeErrors.ToException(Name, "state", id, message);
        }
        using var doc = JsonDocument.Parse(r.Stdout);
        return ParseState(doc.RootElement);
    }

    public Task PauseAsync(string id, CancellationToken cancellationToken = default) =>
        RunCheckedAsync("pause", id, ["pause", id], null, cancellationToken);

    public Task ResumeAsync(string id, CancellationToken cancellationToken = default) =>
        RunCheckedAsync("resume", id, ["resume", id], null, cancellationToken);

    public Task UpdateAsync(string id, string resourcesJson, CancellationToken cancellationToken = default) =>
        RunCheckedAsync("update", id, ["update", "--resources", "-", id], resourcesJson, cancellationToken);

    public async Task<IReadOnlyList<OciState>> ListAsync(CancellationToken cancellationToken = default)
    {
        RunResult r = await RunAsync(["list", "--format", "json"], null, cancellationToken).ConfigureAwait(false);
        if (r.ExitCode != 0)
        {
            throw RuntimeErrors.ToException(Name, "list", "", RuntimeErrors.ExtractMessage(r.Stderr + "\n" + r.Stdout));
        }
        var list = new List<OciState>();
        if (string.IsNullOrWhiteSpace(r.Stdout))
        {
            return list;
        }
        using var doc = JsonDocument.Parse(r.Stdout);
        if (doc.RootElement.ValueKind == JsonValueKind.Array) // runc prints "null" when empty
        {
            foreach (JsonElement e in doc.RootElement.EnumerateArray())
            {
                list.Add(ParseState(e));
            }
        }
        return list;
    }

    internal static OciState ParseState(JsonElement e)
    {
        string id = e.TryGetProperty("id", out JsonElement i) ? i.GetString() ?? "" : "";
        string status = e.TryGetProperty("status", out JsonElement s) ? s.GetString() ?? "" : "";
        int pid = e.TryGetProperty("pid", out JsonElement p) && p.ValueKind == JsonValueKind.Number ? p.GetInt32() : 0;
        string bundle = e.TryGetProperty("bundle", out JsonElement b) ? b.GetString() ?? "" : "";
        OciStatus parsed = status switch
        {
            "creating" => OciStatus.Creating,
            "created" => OciStatus.Created,
            "running" => OciStatus.Running,
            "paused" => OciStatus.Paused,
            "stopped" => OciStatus.Stopped,
            _ => OciStatus.Unknown,
        };
        return new OciState(id, parsed, pid, bundle);
    }

    private async Task RunCheckedAsync(string command, string id, string[] args, string? stdin, CancellationToken cancellationToken)
    {
        RunResult r = await RunAsync(args, stdin, cancellationToken).ConfigureAwait(false);
        if (r.ExitCode != 0)
        {
            throw RuntimeErrors.ToException(Name, command, id, RuntimeErrors.ExtractMessage(r.Stderr + "\n" + r.Stdout));
        }
    }

    private readonly record struct RunResult(int ExitCode, string Stdout, string Stderr);

    private async Task<RunResult> RunAsync(string[] args, string? stdin, CancellationToken cancellationToken)
    {
        var psi = new ProcessStartInfo(Path)
        {
            RedirectStandardInput = stdin is not null,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string g in GlobalArguments)
        {
            psi.ArgumentList.Add(g);
        }
        psi.ArgumentList.Add("--log-format=json"); // machine-readable errors on stderr
        foreach (string a in args)
        {
            psi.ArgumentList.Add(a);
        }
        using var process = Process.Start(psi) ?? throw DaemonException.System($"cannot start {Path}");
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_timeout);
        Task<string> stdout = process.StandardOutput.ReadToEndAsync(timeout.Token);
        Task<string> stderr = process.StandardError.ReadToEndAsync(timeout.Token);
        try
        {
            if (stdin is not null)
            {
                await process.StandardInput.WriteAsync(stdin.AsMemory(), timeout.Token).ConfigureAwait(false);
                process.StandardInput.Close();
            }
            await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
            return new RunResult(process.ExitCode, await stdout.ConfigureAwait(false), await stderr.ConfigureAwait(false));
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            TryKill(process);
            throw new DaemonException(ErrorKind.System, Messages.RuntimeTimedOut(Name, args[0]));
        }
        catch (OperationCanceledException)
        {
            TryKill(process);
            throw;
        }
    }

    private static void TryKill(Process process)
    {
        try
        {
            process.Kill();
        }
        catch (InvalidOperationException)
        {
            // exited meanwhile
        }
    }
}
