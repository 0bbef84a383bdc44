using System.Buffers;
using System.Buffers.Binary;
using Berth.Engine.Containers;

namespace Berth.Api.Streams;

/// <summary>
/// Copies between a hijacked client stream and a container's stdio. Output: one Docker stdcopy
/// frame per chunk ([stream, 0, 0, 0, big-endian length] + data; 1 = stdout, 2 = stderr), or
/// raw bytes for a TTY. Input: client bytes to stdin (the runtime layer chunks them for conmon);
/// the client's half-close ends stdin.
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

    /// <summary>Until the container's output ends (exit) or the client goes away.</summary>
    public static async Task CopyOutputAsync(IContainerStreams streams, Stream client, bool tty, bool stdout, bool stderr, CancellationToken cancellationToken)
    {
        await foreach (var chunk in streams.Output.ReadAllAsync(cancellationToken).ConfigureAwait(false))
        {
            if ((chunk.Stream == OutputKind.Stdout && !stdout) || (chunk.Stream == OutputKind.Stderr && !stderr))
            {
                continue;
            }
            if (tty)
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

    /// <summary>Client → stdin until the client half-closes (read returns 0), then closes stdin.</summary>
    public static async Task CopyInputAsync(Stream client, IContainerStreams streams, CancellationToken cancellationToken)
    {
        byte[] buffer = ArrayPool<byte>.Shared.Rent(32 * 1024);
        try
        {
            while (true)
            {
                int n = await client.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
                if (n == 0)
                {
                    break;
                }
                await streams.WriteInputAsync(buffer.AsMemory(0, n), cancellationToken).ConfigureAwait(false);
            }
            streams.CloseInput();
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
