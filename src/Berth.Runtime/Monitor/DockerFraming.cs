using System.Buffers.Binary;

namespace Berth.Runtime.Monitor;

/// <summary>Stream ids as conmon sends them: the first byte of every attach-socket message.</summary>
public enum ConmonStreamId : byte
{
    Stdin = 1,
    Stdout = 2,
    Stderr = 3,
}

/// <summary>Docker's stdcopy stream ids in the 8-byte multiplexed header.</summary>
public enum DockerStreamId : byte
{
    Stdin = 0,
    Stdout = 1,
    Stderr = 2,
}

/// <summary>Docker's multiplexed framing: [stream, 0, 0, 0, size as big-endian uint32] + payload (non-TTY only).</summary>
public static class DockerFraming
{
    public const int HeaderSize = 8;

    public static DockerStreamId FromConmon(ConmonStreamId stream) => stream switch
    {
        ConmonStreamId.Stdin => DockerStreamId.Stdin,
        ConmonStreamId.Stderr => DockerStreamId.Stderr,
        _ => DockerStreamId.Stdout,
    };

    public static void WriteHeader(Span<byte> destination, DockerStreamId stream, int payloadLength)
    {
        destination[0] = (byte)stream;
        destination[1] = 0;
        destination[2] = 0;
        destination[3] = 0;
        BinaryPrimitives.WriteUInt32BigEndian(destination[4..], (uint)payloadLength);
    }

    /// <summary>One conmon attach message (stream byte + data) as a Docker frame; TTY output goes raw.</summary>
    public static byte[] FromConmonMessage(ReadOnlySpan<byte> message, bool tty)
    {
        ReadOnlySpan<byte> data = message[1..];
        if (tty)
        {
            return data.ToArray();
        }
        byte[] frame = new byte[HeaderSize + data.Length];
        WriteHeader(frame, FromConmon((ConmonStreamId)message[0]), data.Length);
        data.CopyTo(frame.AsSpan(HeaderSize));
        return frame;
    }
}
