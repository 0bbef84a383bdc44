using System.Buffers.Binary;
using System.Text;

namespace Berth.Linux.Netlink;

/// <summary>
/// Builds one netlink request in memory: header, family header, attributes (nested ones by
/// Begin/End). Pure so unit tests can compare the bytes with golden arrays from iproute2 traces.
/// Little-endian throughout: netlink uses host byte order and Berth only targets LE hosts.
/// </summary>
internal sealed class NetlinkMessageWriter
{
    private byte[] _buffer = new byte[256];
    private int _length;
    private readonly Stack<int> _nests = new();

    public NetlinkMessageWriter(ushort type, ushort flags, uint sequence)
    {
        Reserve(Nl.HeaderLength);
        BinaryPrimitives.WriteUInt16LittleEndian(_buffer.AsSpan(4), type);
        BinaryPrimitives.WriteUInt16LittleEndian(_buffer.AsSpan(6), flags);
        BinaryPrimitives.WriteUInt32LittleEndian(_buffer.AsSpan(8), sequence);
        // nlmsg_pid stays 0: the kernel fills in the sender's port id.
    }

    /// <summary>struct ifinfomsg (16 bytes).</summary>
    public NetlinkMessageWriter IfInfo(byte family, int index, uint flags = 0, uint change = 0)
    {
        var span = Reserve(16);
        span[0] = family;
        BinaryPrimitives.WriteInt32LittleEndian(span[4..], index);
        BinaryPrimitives.WriteUInt32LittleEndian(span[8..], flags);
        BinaryPrimitives.WriteUInt32LittleEndian(span[12..], change);
        return this;
    }

    /// <summary>struct ifaddrmsg (8 bytes).</summary>
    public NetlinkMessageWriter IfAddr(byte family, byte prefixLength, byte scope, int index)
    {
        var span = Reserve(8);
        span[0] = family;
        span[1] = prefixLength;
        span[3] = scope;
        BinaryPrimitives.WriteInt32LittleEndian(span[4..], index);
        return this;
    }

    /// <summary>struct rtmsg (12 bytes), only the family matters for dumps.</summary>
    public NetlinkMessageWriter RtMsg(byte family)
    {
        Reserve(12)[0] = family;
        return this;
    }

    /// <summary>struct rtmsg for a route change: family, dst_len, src_len 0, tos 0, table, protocol, scope, type, flags 0.</summary>
    public NetlinkMessageWriter RtMsg(byte family, byte destinationLength, byte table, byte protocol, byte scope, byte type)
    {
        var span = Reserve(12);
        span[0] = family;
        span[1] = destinationLength;
        span[4] = table;
        span[5] = protocol;
        span[6] = scope;
        span[7] = type;
        return this;
    }

    public NetlinkMessageWriter Attr(ushort type, ReadOnlySpan<byte> payload)
    {
        var span = Reserve(Nl.Align(4 + payload.Length));
        BinaryPrimitives.WriteUInt16LittleEndian(span, (ushort)(4 + payload.Length));
        BinaryPrimitives.WriteUInt16LittleEndian(span[2..], type);
        payload.CopyTo(span[4..]);
        return this;
    }

    public NetlinkMessageWriter AttrU32(ushort type, uint value)
    {
        Span<byte> bytes = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(bytes, value);
        return Attr(type, bytes);
    }

    /// <summary>A NUL-terminated string, as the kernel expects for names and kinds.</summary>
    public NetlinkMessageWriter AttrString(ushort type, string value)
    {
        var bytes = new byte[Encoding.UTF8.GetByteCount(value) + 1];
        Encoding.UTF8.GetBytes(value, bytes);
        return Attr(type, bytes);
    }

    public NetlinkMessageWriter BeginNested(ushort type)
    {
        _nests.Push(_length);
        var span = Reserve(4);
        BinaryPrimitives.WriteUInt16LittleEndian(span[2..], type);
        return this;
    }

    public NetlinkMessageWriter EndNested()
    {
        int start = _nests.Pop();
        BinaryPrimitives.WriteUInt16LittleEndian(_buffer.AsSpan(start), (ushort)(_length - start));
        return this;
    }

    /// <summary>The finished message with nlmsg_len filled in.</summary>
    public byte[] ToArray()
    {
        if (_nests.Count != 0)
        {
            throw new InvalidOperationException("unbalanced nested attribute");
        }
        BinaryPrimitives.WriteUInt32LittleEndian(_buffer, (uint)_length);
        return _buffer.AsSpan(0, _length).ToArray();
    }

    private Span<byte> Reserve(int count)
    {
        if (_length + count > _buffer.Length)
        {
            Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, _length + count));
        }
        var span = _buffer.AsSpan(_length, count);
        span.Clear();
        _length += count;
        return span;
    }
}
