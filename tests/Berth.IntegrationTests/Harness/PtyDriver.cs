using System.Text;
using System.Text.Json;

namespace Berth.IntegrationTests.Harness;

/// <summary>One step of a <see cref="PtyDriver"/> session.</summary>
public abstract record PtyStep
{
    /// <summary>Waits (deadline) until the terminal output after the previous match contains the text.</summary>
    public sealed record Expect(string Text) : PtyStep;

    /// <summary>Types bytes (use "\r" for Enter, "\u0010\u0011" for ctrl-p ctrl-q).</summary>
    public sealed record Send(string Text) : PtyStep;

    /// <summary>Resizes the terminal; the kernel sends SIGWINCH to the CLI, which calls /resize.</summary>
    public sealed record Resize(int Rows, int Columns) : PtyStep;
}

/// <summary>What the CLI printed on its terminal and how it exited.</summary>
public sealed record PtyResult(int ExitCode, string Output, int? FailedStep, bool TimedOut)
{
    public override string ToString() =>
        $"exit {ExitCode}{(TimedOut ? " (timed out)" : "")}{(FailedStep is int s ? $", step {s} not met" : "")}\n--- terminal ---\n{Output}";
}

/// <summary>
/// Runs the docker CLI on a real pseudo-terminal (python3's pty module), so `docker run -it`,
/// `docker attach` and `docker start -ai` see a TTY: raw mode, detach keys, SIGWINCH. Steps wait
/// for output (never for time); the terminal starts at the given size before the CLI starts.
/// </summary>
public static class PtyDriver
{
    private const string Script = """
        import fcntl, json, os, pty, select, signal, struct, sys, termios, time
        spec = json.loads(sys.argv[1])
        rows, cols = spec["size"]
        pid, fd = pty.fork()
        if pid == 0:
            fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
            os.execvpe(spec["cmd"][0], spec["cmd"], spec["env"])
        out = bytearray(); pos = 0; failed = None; eof = False
        def pump(timeout):
            global eof
            r, _, _ = select.select([fd], [], [], timeout)
            if r:
                try:
                    d = os.read(fd, 65536)
                except OSError:
                    d = b""
                if not d:
                    eof = True
                out.extend(d)
        for i, step in enumerate(spec["steps"]):
            if "expect" in step:
                want = step["expect"].encode("latin-1"); deadline = time.time() + spec["timeout"]
                while want not in out[pos:] and not eof and time.time() < deadline:
                    pump(0.1)
                k = out.find(want, pos)
                if k < 0:
                    failed = i; break
                pos = k + len(want)
            elif "send" in step:
                os.write(fd, step["send"].encode("latin-1"))
            elif "resize" in step:
                fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", step["resize"][0], step["resize"][1], 0, 0))
        deadline = time.time() + spec["timeout"]
        while not eof and time.time() < deadline:
            pump(0.1)
        timed_out = not eof
        if timed_out or failed is not None:
            os.kill(pid, signal.SIGKILL)
        _, status = os.waitpid(pid, 0)
        print(json.dumps({"exit": os.waitstatus_to_exitcode(status), "output": out.decode("latin-1"), "failed": failed, "timedOut": timed_out}))
        """;

    private static readonly Lazy<string> ScriptPath = new(() =>
    {
        string path = Path.Combine(Path.GetTempPath(), $"berth-it-pty-{Environment.ProcessId}.py");
        File.WriteAllText(path, Script);
        AppDomain.CurrentDomain.ProcessExit += (_, _) => File.Delete(path);
        return path;
    });

    public static async Task<PtyResult> RunAsync(DockerCli docker, IReadOnlyList<string> args, IReadOnlyList<PtyStep> steps,
        int rows = 33, int columns = 111, TimeSpan? timeout = null)
    {
        var env = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["PATH"] = Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin:/bin",
            ["HOME"] = Environment.GetEnvironmentVariable("HOME") ?? "/root",
            ["DOCKER_CONFIG"] = docker.ConfigDir,
            ["DOCKER_CLI_HINTS"] = "false",
            ["TERM"] = "xterm",
        };
        var cmd = new List<string> { docker.Executable };
        if (docker.Host is not null)
        {
            cmd.AddRange(["-H", docker.Host]);
        }
        cmd.AddRange(args);
        TimeSpan limit = timeout ?? TimeSpan.FromSeconds(30);
        var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteStartArray("cmd");
            cmd.ForEach(w.WriteStringValue);
            w.WriteEndArray();
            w.WriteStartObject("env");
            foreach (var (k, v) in env)
            {
                w.WriteString(k, v);
            }
            w.WriteEndObject();
            w.WriteStartArray("size");
            w.WriteNumberValue(rows);
            w.WriteNumberValue(columns);
            w.WriteEndArray();
            w.WriteNumber("timeout", limit.TotalSeconds);
            w.WriteStartArray("steps");
            foreach (PtyStep step in steps)
            {
                w.WriteStartObject();
                switch (step)
                {
                    case PtyStep.Expect e:
                        w.WriteString("expect", e.Text);
                        break;
                    case PtyStep.Send x:
                        w.WriteString("send", x.Text);
                        break;
                    case PtyStep.Resize r:
                        w.WriteStartArray("resize");
                        w.WriteNumberValue(r.Rows);
                        w.WriteNumberValue(r.Columns);
                        w.WriteEndArray();
                        break;
                }
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        string json = Encoding.UTF8.GetString(buffer.ToArray());
        ProcessResult run = await ProcessRunner.RunAsync("python3", [ScriptPath.Value, json], timeout: (limit * (steps.Count + 2)) + TimeSpan.FromSeconds(10));
        if (!run.Succeeded)
        {
            throw new InvalidOperationException("pty driver failed:\n" + run);
        }
        using JsonDocument doc = JsonDocument.Parse(run.Stdout);
        JsonElement root = doc.RootElement;
        return new PtyResult(root.GetProperty("exit").GetInt32(), root.GetProperty("output").GetString() ?? "",
            root.GetProperty("failed").ValueKind == JsonValueKind.Number ? root.GetProperty("failed").GetInt32() : null,
            root.GetProperty("timedOut").GetBoolean());
    }

    /// <summary>Terminal output with the shell's cursor queries and CRs removed, for Contains checks.</summary>
    public static string Clean(string output) =>
        new StringBuilder(output).Replace("\u001b[6n", "").Replace("\u001b[J", "").Replace("\r", "").ToString();
}
