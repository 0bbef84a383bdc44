using System.Text;
using System.Text.Json.Nodes;
using Berth.Engine.Containers;
using Berth.Engine.Errors;
using Berth.Linux;
using Berth.Runtime.Monitor;

namespace Berth.Runtime.Containers;

/// <summary>
/// Health probes as attached exec sessions of the monitor: the container's own process spec
/// (user, env, cwd, capabilities from its config.json) with the probe's arguments and no TTY.
/// Output is kept up to 4 KiB (then "..."), as dockerd's limitedBuffer.
/// </summary>
internal static class ProbeRunner
{
    private const int MaxOutput = 4096;
    private static readonly TimeSpan KillGrace = TimeSpan.FromSeconds(10);

    /// <param name="helper">berth-exec, for a probe it can run; null: the runtime runs it.</param>
    public static async Task<ProbeOutcome> RunAsync(IContainerMonitor monitor, MonitoredContainer container, string execId,
        IReadOnlyList<string> command, TimeSpan timeout, CancellationToken cancellationToken, Exec.ExecHelper? helper = null, string? runtime = null)
    {
        byte[] config = await File.ReadAllBytesAsync(Path.Combine(container.BundleDir, "config.json"), cancellationToken).ConfigureAwait(false);
        string processJson = ProcessJson(config, command);
        string? runtimePath = helper is not null && PrepareHelper(helper, runtime, container, execId, config, command) ? helper.Path : null;
        ExecSession session = await monitor.ExecAsync(container, execId, new ExecOptions { ProcessJson = processJson, Attach = true, RuntimePath = runtimePath },
            cancellationToken).ConfigureAwait(false);
        var output = new ProbeOutput();
        Task drain = session.Attachment is { } attachment ? DrainAsync(attachment, output) : Task.CompletedTask;
        try
        {
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            deadline.CancelAfter(timeout);
            int code;
            try
            {
                code = await session.ExitCode.WaitAsync(deadline.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // Timed out or the monitor stopped: the probe must not outlive its check.
                _ = Libc.Kill(session.Pid, Libc.SIGKILL);
                await session.ExitCode.WaitAsync(KillGrace, CancellationToken.None).ConfigureAwait(false);
                cancellationToken.ThrowIfCancellationRequested();
                await drain.WaitAsync(KillGrace, CancellationToken.None).ConfigureAwait(false);
                return new ProbeOutcome(-1, output.Text(), TimedOut: true);
            }
            await drain.WaitAsync(KillGrace, CancellationToken.None).ConfigureAwait(false);
            return new ProbeOutcome(code, output.Text());
        }
        finally
        {
            if (session.Attachment is { } a)
            {
                await a.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    /// <summary>berth-exec's plan for the probe: the same process as <see cref="ProcessJson"/> describes.</summary>
    private static bool PrepareHelper(Exec.ExecHelper helper, string? runtime, MonitoredContainer container, string execId, byte[] config, IReadOnlyList<string> command)
    {
        Spec.OciSpec? spec = Spec.OciSpecJson.Deserialize(config);
        if (spec?.Process is not { } process)
        {
            return false;
        }
        process.Args = [.. command];
        process.Terminal = false;
        process.ConsoleSize = null;
        return helper.TryPrepare(container.Id, runtime, spec, process, container.Pid, container.ContainerCgroup,
            Path.Combine(container.StateDir, "exec", execId), Path.Combine(container.BundleDir, "rootfs"));
    }

    /// <summary>The container's "process" object with the probe's args, no terminal.</summary>
    internal static string ProcessJson(byte[] configJson, IReadOnlyList<string> command)
    {
        JsonNode? root = JsonNode.Parse(configJson);
        if (root?["process"] is not JsonObject process)
        {
            throw DaemonException.System("the container's config.json has no process");
        }
        var args = new JsonArray();
        foreach (string arg in command)
        {
            args.Add((JsonNode?)JsonValue.Create(arg));
        }
        process["args"] = args;
        process["terminal"] = false;
        process.Remove("consoleSize");
        return process.ToJsonString();
    }

    private static async Task DrainAsync(IContainerAttachment attachment, ProbeOutput output)
    {
        try
        {
            await foreach (AttachFrame frame in attachment.Output.ReadAllAsync().ConfigureAwait(false))
            {
                output.Append(frame.Data.Span);
            }
        }
        catch (Exception e) when (e is System.Threading.Channels.ChannelClosedException or IOException or OperationCanceledException or DaemonException)
        {
            // the session ended; what arrived is the output
        }
    }

    /// <summary>The first 4 KiB of stdout and stderr together.</summary>
    private sealed class ProbeOutput
    {
        private readonly byte[] _data = new byte[MaxOutput];
        private int _length;
        private bool _truncated;
        private readonly Lock _lock = new();

        public void Append(ReadOnlySpan<byte> data)
        {
            lock (_lock)
            {
                int keep = Math.Min(MaxOutput - _length, data.Length);
                data[..keep].CopyTo(_data.AsSpan(_length));
                _length += keep;
                _truncated |= keep < data.Length;
            }
        }

        public string Text()
        {
            lock (_lock)
            {
                string text = Encoding.UTF8.GetString(_data, 0, _length);
                return _truncated ? text + "..." : text;
            }
        }
    }
}
