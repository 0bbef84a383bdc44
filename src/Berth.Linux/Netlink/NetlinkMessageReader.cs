using System.Buffers.Binary;
using System.Text;

namespace Berth.Linux.Netlink;

/// <summary>One received netlink message: type, flags, sequence and the bytes after the header.</summary>
internal readonly record struct NetlinkMessage(ushort Type, ushort Flags, uint Sequence, byte[] Payload);

/// <summary>Pure decoding of netlink datagrams and attribute lists.</summary>
internal static class NetlinkMessageReader
{
    /// <summary>Splits one datagram into its messages (a dump packs several per datagram).</summary>
    public static List<NetlinkMessage> Split(ReadOnlySpan<byte> datagram)
    {
        var messages = new List<NetlinkMessage>();
        while (datagram.Length >= Nl.HeaderLength)
        {
            int length = (int)BinaryPrimitives.ReadUInt32LittleEndian(datagram);
            if (length < Nl.HeaderLength || length > datagram.Length)
            {
                throw new InvalidDataException($"netlink message length {length} out of range ({datagram.Length} bytes left)");
            }
            messages.Add(new NetlinkMessage(
                BinaryPrimitives.ReadUInt16LittleEndian(datagram[4..]),
                BinaryPrimitives.ReadUInt16LittleEndian(datagram[6..]),
                BinaryPrimitives.ReadUInt32LittleEndian(datagram[8..]),
                datagram[Nl.HeaderLength..length].ToArray()));
            datagram = datagram[Math.Min(Nl.Align(length), datagram.Length)..];
        }
        return messages;
    }

    /// <summary>The errno of an NLMSG_ERROR payload: 0 is the ack, otherwise a positive errno.</summary>
    public static int ErrorCode(byte[] payload) =>
        payload.Length >= 4 ? -BinaryPrimitives.ReadInt32LittleEndian(payload) : 0;

    /// <summary>Attributes starting at <paramref name="offset"/>; later duplicates win.</summary>
    public static Dictionary<ushort, byte[]> Attributes(ReadOnlySpan<byte> data, int offset)
    {
        var result = new Dictionary<ushort, byte[]>();
        data = offset <= data.Length ? data[offset..] : [];
        while (data.Length >= 4)
        {
            int length = BinaryPrimitives.ReadUInt16LittleEndian(data);
            // NLA_F_NESTED and NLA_F_NET_BYTEORDER live in the top bits of the type.
            ushort type = (ushort)(BinaryPrimitives.ReadUInt16LittleEndian(data[2..]) & 0x3fff);
            if (length < 4 || length > data.Length)
            {
                break;
            }
            result[type] = data[4..length].ToArray();
            data = data[Math.Min(Nl.Align(length), data.Length)..];
        }
        return result;
    }

    public static string? String(Dictionary<ushort, byte[]> attributes, ushort type) =>
        attributes.TryGetValue(type, out var v) ? Encoding.UTF8.GetString(v).TrimEnd('\0') : null;

    public static uint? U32(Dictionary<ushort, byte[]> attributes, ushort type) =>
        attributes.TryGetValue(type, out var v) && v.Length >= 4 ? BinaryPrimitives.ReadUInt32LittleEndian(v) : null;
}
