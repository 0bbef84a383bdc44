using System.IO.Pipelines;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Berth.Daemon.Transport;

/// <summary>
/// Connection middleware that runs every connection's input through <see cref="UpgradeBodyRewriter"/>.
/// Placed after TLS, so it sees plaintext on every listener. A FIN from the client completes only
/// the rewritten input, keeping the half-close semantics of the transport.
/// </summary>
public static class UpgradeBodyMiddleware
{
    private static readonly PipeOptions Options = new(pauseWriterThreshold: 1024 * 1024, resumeWriterThreshold: 512 * 1024, useSynchronizationContext: false);

    public static ListenOptions UseUpgradeBodies(this ListenOptions listen)
    {
        listen.Use(next => context => RunAsync(context, next));
        return listen;
    }

    private static async Task RunAsync(ConnectionContext context, ConnectionDelegate next)
    {
        IDuplexPipe original = context.Transport;
        var rewritten = new Pipe(Options);
        context.Transport = new DuplexPipe(rewritten.Reader, original.Output);
        Task pump = PumpAsync(original.Input, rewritten.Writer);
        try
        {
            await next(context).ConfigureAwait(false);
        }
        finally
        {
            original.Input.CancelPendingRead();
            await pump.ConfigureAwait(false);
            context.Transport = original;
        }
    }

    private static async Task PumpAsync(PipeReader input, PipeWriter output)
    {
        var rewriter = new UpgradeBodyRewriter();
        Exception? error = null;
        try
        {
            while (true)
            {
                ReadResult result = await input.ReadAsync().ConfigureAwait(false);
                var buffer = result.Buffer;
                long consumed = rewriter.Process(buffer, output);
                if (result.IsCompleted)
                {
                    UpgradeBodyRewriter.Flush(buffer.Slice(consumed), output);
                    consumed = buffer.Length;
                }
                input.AdvanceTo(buffer.GetPosition(consumed), buffer.End);
                FlushResult flush = await output.FlushAsync().ConfigureAwait(false);
                if (result.IsCompleted || result.IsCanceled || flush.IsCompleted)
                {
                    break;
                }
            }
        }
        catch (Exception e) when (e is IOException or ConnectionResetException or ConnectionAbortedException or InvalidOperationException)
        {
            error = e;
        }
        await output.CompleteAsync(error).ConfigureAwait(false);
        await input.CompleteAsync().ConfigureAwait(false);
    }

    private sealed class DuplexPipe(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input { get; } = input;

        public PipeWriter Output { get; } = output;
    }
}
