using System.Buffers;
using System.Buffers.Binary;
using Berth.Engine.Containers;

namespace Berth.Api.Streams;

/// <summary>What an attach connects and how (moby container/stream AttachConfig).</summary>
/// <param name="Multiplexed">stdcopy frames; false for a TTY and for websockets (raw bytes).</param>
/// <param name="DetachKeys">Watched in the input of TTY containers only (null: not watched).</param>
/// <param name="CloseStdin">The container's StdinOnce without a TTY: the client's end of input closes the container's stdin.</param>
public sealed record AttachOptions(bool Stdin, bool Stdout, bool Stderr, bool Multiplexed, byte[]? DetachKeys, bool CloseStdin);

/// <summary>How an attach ended.</summary>
public enum AttachEnd
{
    /// <summary>The container's output ended (it exited, or this run's streams closed).</summary>
    OutputEnded,

    /// <summary>The client ended its input (or went away) and the attach ended with it.</summary>
    InputEnded,

    /// <summary>The detach key sequence arrived.</summary>
    Detached,
}

/// <summary>
/// Copies between a hijacked client stream and a container's stdio. Output: one Docker stdcopy
/// frame per chunk ([stream, 0, 0, 0, big-endian length] + data; 1 = stdout, 2 = stderr), or
/// raw bytes. Input: client bytes to stdin (the runtime layer chunks them for conmon). dockerd's
/// rules for the end of input: with StdinOnce and no TTY it closes the container's stdin and the
/// output goes on until the container ends; otherwise the attach ends and stdin stays open (the
/// container keeps running; `docker attach` again). A TTY's input is watched for the detach keys.
/// Output never waits on a slow client for long: the runtime's bounded buffer drops such a
/// client instead of stalling the container.
/// </summary>
public static class AttachPump
{
    public const int HeaderSize = 8;

    public static void WriteHeader(Span<byte> destination, OutputKind stream, int length)
    {
        destination[0] = (byte)stream;
        destination[1] = 0;
        destination[2] = 0;
        destination[3] = 0;
        BinaryPrimitives.WriteUInt32BigEndian(destination[4..], (uint)length);
    }

    public static async Task<AttachEnd> RunAsync(IContainerStreams streams, Stream client, AttachOptions options, CancellationToken cancellationToken)
    {
        using var done = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        Task output = CopyOutputAsync(streams, client, options.Multiplexed, options.Stdout, options.Stderr, done.Token);
        Task<AttachEnd> input = options.Stdin
            ? CopyInputAsync(client, streams, options.DetachKeys, done.Token)
            : Task.FromResult(AttachEnd.OutputEnded); // stands for "no input": never ends the attach
        AttachEnd end = AttachEnd.OutputEnded;
        try
        {
            if (options.Stdin && await Task.WhenAny(output, input).ConfigureAwait(false) == input)
            {
                end = await input.ConfigureAwait(false);
                if (end == AttachEnd.InputEnded && options.CloseStdin)
                {
                    streams.CloseInput();
                    end = AttachEnd.OutputEnded;
                    await output.ConfigureAwait(false);
                }
                else
                {
                    return end;
                }
            }
            else
            {
                await output.ConfigureAwait(false);
            }
        }
        catch (Exception e) when (IsStreamEnd(e))
        {
            // client gone, or dropped for not reading: nothing to report on a hijacked stream
        }
        finally
        {
            await done.CancelAsync().ConfigureAwait(false);
            await Quietly(output).ConfigureAwait(false);
            await Quietly(input).ConfigureAwait(false);
        }
        return end;
    }

    /// <summary>Until the container's output ends (exit) or the client goes away.</summary>
    public static async Task CopyOutputAsync(IContainerStreams streams, Stream client, bool multiplexed, bool stdout, bool stderr, CancellationToken cancellationToken)
    {
        await foreach (var chunk in streams.Output.ReadAllAsync(cancellationToken).ConfigureAwait(false))
        {
            if ((chunk.Stream == OutputKind.Stdout && !stdout) || (chunk.Stream == OutputKind.Stderr && !stderr))
            {
                continue;
            }
            if (!multiplexed)
            {
                await client.WriteAsync(chunk.Data, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                byte[] frame = ArrayPool<byte>.Shared.Rent(HeaderSize + chunk.Data.Length);
                try
                {
                    WriteHeader(frame, chunk.Stream, chunk.Data.Length);
                    chunk.Data.Span.CopyTo(frame.AsSpan(HeaderSize));
                    await client.WriteAsync(frame.AsMemory(0, HeaderSize + chunk.Data.Length), cancellationToken).ConfigureAwait(false);
                }
                finally
                {
                    ArrayPool<byte>.Shared.Return(frame);
                }
            }
            await client.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Client → stdin until the client ends its input or sends the detach keys.</summary>
    public static async Task<AttachEnd> CopyInputAsync(Stream client, IContainerStreams streams, byte[]? detachKeys, CancellationToken cancellationToken)
    {
        DetachScanner? scanner = detachKeys is null ? null : new DetachScanner(detachKeys);
        byte[] buffer = ArrayPool<byte>.Shared.Rent(32 * 1024);
        byte[]? filtered = scanner is null ? null : ArrayPool<byte>.Shared.Rent(buffer.Length + detachKeys!.Length);
        try
        {
            while (true)
            {
                int n;
                try
                {
                    n = await client.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception e) when (IsStreamEnd(e) && !cancellationToken.IsCancellationRequested)
                {
                    return AttachEnd.InputEnded; // reset by the client: as good as its EOF
                }
                if (n == 0)
                {
                    return AttachEnd.InputEnded;
                }
                if (scanner is null)
                {
                    await streams.WriteInputAsync(buffer.AsMemory(0, n), cancellationToken).ConfigureAwait(false);
                    continue;
                }
                int pass = scanner.Filter(buffer.AsSpan(0, n), filtered, out bool detached);
                if (pass > 0)
                {
                    await streams.WriteInputAsync(filtered.AsMemory(0, pass), cancellationToken).ConfigureAwait(false);
                }
                if (detached)
                {
                    return AttachEnd.Detached;
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
            if (filtered is not null)
            {
                ArrayPool<byte>.Shared.Return(filtered);
            }
        }
    }

    private static bool IsStreamEnd(Exception e) =>
        e is OperationCanceledException or IOException or ObjectDisposedException or System.Net.Sockets.SocketException
            or System.Threading.Channels.ChannelClosedException or System.Net.WebSockets.WebSocketException
            or Engine.Errors.DaemonException;

    private static async Task Quietly(Task task)
    {
        try
        {
            await task.ConfigureAwait(false);
        }
        catch (Exception e) when (IsStreamEnd(e))
        {
            // the attach is over either way
        }
    }
}
