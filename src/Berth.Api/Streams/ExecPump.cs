using System.Buffers;
using System.Text;
using System.Threading.Channels;
using Berth.Engine.Containers;
using Berth.Engine.Errors;
using Berth.Engine.Exec;

namespace Berth.Api.Streams;

/// <summary>
/// An attached exec start on a hijacked connection (dockerd's postContainerExecStart +
/// ContainerExecStart): start the process, copy its output (raw for a TTY, else stdcopy frames)
/// and the client's input, and close only once the exit code is recorded — the CLI inspects
/// the exec for it as soon as the stream ends.
/// </summary>
public static class ExecPump
{
    /// <summary>Bound on waiting for the exit code after the output ended (conmon sends it right after closing the stream).</summary>
    private static readonly TimeSpan ExitRecordWait = TimeSpan.FromSeconds(10);

    public static async Task RunAsync(Stream client, IExecService execs, string execId, ExecStartOptions options, bool tty, CancellationToken aborted)
    {
        ExecRun run;
        try
        {
            run = await execs.StartAsync(execId, options, aborted).ConfigureAwait(false);
        }
        catch (DaemonException e)
        {
            // The connection is already hijacked: dockerd writes the error into the stream (as stdout).
            await WriteErrorAsync(client, e.Message, tty, aborted).ConfigureAwait(false);
            return;
        }
        if (run.Streams is not { } streams)
        {
            return;
        }
        await using (streams.ConfigureAwait(false))
        {
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(aborted);
            DetachScanner? escape = run.Tty ? new DetachScanner(run.DetachKeys.Length == 0 ? DetachKeys.Default : run.DetachKeys) : null;
            Task<bool> input = run.OpenStdin ? CopyInputAsync(client, streams, escape, stop.Token) : Task.FromResult(false);
            Task<bool> output = CopyOutputAsync(streams, client, tty, run.OpenStdout, run.OpenStderr, stop.Token);
            bool detached = false;
            if (await Task.WhenAny(output, input).ConfigureAwait(false) == input && run.OpenStdin)
            {
                detached = await input.ConfigureAwait(false);
            }
            if (detached)
            {
                // The process runs on; the client leaves with the detach keys.
                await stop.CancelAsync().ConfigureAwait(false);
                await output.ConfigureAwait(false);
                execs.Detached(execId);
                return;
            }
            if (await output.ConfigureAwait(false))
            {
                try
                {
                    await run.Completion.WaitAsync(ExitRecordWait, aborted).ConfigureAwait(false);
                }
                catch (Exception e) when (e is TimeoutException or OperationCanceledException)
                {
                    // the stream ends anyway; inspect shows the exec still running
                }
            }
            await stop.CancelAsync().ConfigureAwait(false);
            await input.ConfigureAwait(false);
        }
    }

    /// <summary>True when the output ended because the process exited; false when the client went away or was dropped.</summary>
    private static async Task<bool> CopyOutputAsync(IContainerStreams streams, Stream client, bool tty, bool stdout, bool stderr, CancellationToken cancellationToken)
    {
        try
        {
            await AttachPump.CopyOutputAsync(streams, client, multiplexed: !tty, stdout, stderr, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or ChannelClosedException or DaemonException)
        {
            return false;
        }
    }

    /// <summary>Client → stdin until EOF (stdin is closed then) or, on a TTY, the detach keys (true).</summary>
    private static async Task<bool> CopyInputAsync(Stream client, IContainerStreams streams, DetachScanner? escape, CancellationToken cancellationToken)
    {
        byte[] buffer = ArrayPool<byte>.Shared.Rent(32 * 1024);
        byte[] forward = ArrayPool<byte>.Shared.Rent(buffer.Length + 256); // held-back key bytes come out first
        try
        {
            while (true)
            {
                int n = await client.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
                if (n == 0)
                {
                    break;
                }
                if (escape is null)
                {
                    await streams.WriteInputAsync(buffer.AsMemory(0, n), cancellationToken).ConfigureAwait(false);
                    continue;
                }
                int pass = escape.Filter(buffer.AsSpan(0, n), forward, out bool detach);
                if (pass > 0)
                {
                    await streams.WriteInputAsync(forward.AsMemory(0, pass), cancellationToken).ConfigureAwait(false);
                }
                if (detach)
                {
                    return true;
                }
            }
            streams.CloseInput();
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or DaemonException or System.Net.Sockets.SocketException or ObjectDisposedException)
        {
            // the process exited while input was still arriving, or the client went away
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
            ArrayPool<byte>.Shared.Return(forward);
        }
        return false;
    }

    /// <summary>dockerd: the error text and CRLF, as a stdout frame unless the stream is raw.</summary>
    public static async Task WriteErrorAsync(Stream client, string message, bool tty, CancellationToken cancellationToken)
    {
        byte[] text = Encoding.UTF8.GetBytes(message + "\r\n");
        byte[] payload = text;
        if (!tty)
        {
            payload = new byte[AttachPump.HeaderSize + text.Length];
            AttachPump.WriteHeader(payload, OutputKind.Stdout, text.Length);
            text.CopyTo(payload, AttachPump.HeaderSize);
        }
        try
        {
            await client.WriteAsync(payload, cancellationToken).ConfigureAwait(false);
            await client.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or OperationCanceledException)
        {
            // the client already left
        }
    }
}
