using System.Buffers.Binary;
using System.Text;

namespace Berth.Networking.Dns;

/// <summary>RFC 1035 numbers the embedded server uses.</summary>
public static class DnsCodes
{
    public const ushort TypeA = 1;
    public const ushort TypePtr = 12;
    public const ushort TypeMx = 15;
    public const ushort TypeAaaa = 28;
    public const ushort TypeSrv = 33;
    public const ushort ClassIn = 1;

    public const int NoError = 0;
    public const int FormErr = 1;
    public const int ServFail = 2;
    public const int NxDomain = 3;
    public const int NotImp = 4;
    public const int Refused = 5;

    /// <summary>libnetwork resolver respTTL.</summary>
    public const uint AnswerTtl = 600;

    /// <summary>Plain UDP answers stay within 512 bytes unless the query's EDNS OPT allows more.</summary>
    public const int UdpMinSize = 512;
    public const int HeaderSize = 12;
}

/// <summary>
/// The one question of a query, parsed without copying the packet: id, flags, name (lower-case,
/// no trailing dot), type, class, where the question ends, and the EDNS UDP size if an OPT
/// record follows. Only what a stub resolver sends is accepted: QR=0, one question, no
/// compression pointer in it.
/// </summary>
public readonly record struct DnsQuery(ushort Id, ushort Flags, string Name, ushort Type, ushort Class, int QuestionEnd, int EdnsUdpSize)
{
    public int Opcode => (Flags >> 11) & 0xF;
    public bool RecursionDesired => (Flags & 0x0100) != 0;

    public enum ParseResult
    {
        /// <summary>A query with one question: answer it.</summary>
        Ok,
        /// <summary>Too short, a response, or no question: drop silently (as dockerd does).</summary>
        Ignore,
        /// <summary>A header we can answer but a question we cannot read: FORMERR.</summary>
        Malformed,
    }

    public static ParseResult TryParse(ReadOnlySpan<byte> packet, out DnsQuery query)
    {
        query = default;
        if (packet.Length < DnsCodes.HeaderSize)
        {
            return ParseResult.Ignore;
        }
        ushort id = BinaryPrimitives.ReadUInt16BigEndian(packet);
        ushort flags = BinaryPrimitives.ReadUInt16BigEndian(packet[2..]);
        ushort qdcount = BinaryPrimitives.ReadUInt16BigEndian(packet[4..]);
        ushort arcount = BinaryPrimitives.ReadUInt16BigEndian(packet[10..]);
        if ((flags & 0x8000) != 0 || qdcount == 0)
        {
            return ParseResult.Ignore;
        }
        query = new DnsQuery(id, flags, "", 0, 0, DnsCodes.HeaderSize, 0);
        if (qdcount != 1 || !TryReadName(packet, DnsCodes.HeaderSize, out string name, out int offset) || offset + 4 > packet.Length)
        {
            return ParseResult.Malformed;
        }
        ushort type = BinaryPrimitives.ReadUInt16BigEndian(packet[offset..]);
        ushort cls = BinaryPrimitives.ReadUInt16BigEndian(packet[(offset + 2)..]);
        int end = offset + 4;
        query = new DnsQuery(id, flags, name, type, cls, end, arcount > 0 ? FindEdnsSize(packet, end) : 0);
        return ParseResult.Ok;
    }

    /// <summary>Uncompressed labels into "a.b.c" (ASCII lower-cased; other bytes kept as Latin-1 so they never match a name).</summary>
    private static bool TryReadName(ReadOnlySpan<byte> packet, int offset, out string name, out int end)
    {
        name = "";
        end = offset;
        Span<char> chars = stackalloc char[255];
        int length = 0;
        while (true)
        {
            if (offset >= packet.Length)
            {
                return false;
            }
            int label = packet[offset++];
            if (label == 0)
            {
                break;
            }
            if (label > 63 || offset + label > packet.Length || length + label + 1 > 254)
            {
                return false;
            }
            if (length > 0)
            {
                chars[length++] = '.';
            }
            foreach (byte b in packet.Slice(offset, label))
            {
                chars[length++] = b is >= (byte)'A' and <= (byte)'Z' ? (char)(b + 32) : (char)b;
            }
            offset += label;
        }
        name = new string(chars[..length]);
        end = offset;
        return true;
    }

    /// <summary>The UDP payload size of an OPT record right after the question (where stub resolvers put it), else 0.</summary>
    private static int FindEdnsSize(ReadOnlySpan<byte> packet, int offset)
    {
        // OPT: root name (0), TYPE 41, CLASS = UDP payload size.
        if (offset + 5 <= packet.Length && packet[offset] == 0 && BinaryPrimitives.ReadUInt16BigEndian(packet[(offset + 1)..]) == 41)
        {
            return BinaryPrimitives.ReadUInt16BigEndian(packet[(offset + 3)..]);
        }
        return 0;
    }
}

/// <summary>
/// Builds answers into a caller's buffer (no allocation): the query's header and question echoed
/// (so the client's name case comes back as sent), flags QR|RA plus the query's opcode and RD,
/// then A records that point back at the question name.
/// </summary>
public static class DnsResponse
{
    private const int ARecordSize = 16;

    /// <summary>Writes a reply; returns its length. Addresses beyond <paramref name="maxSize"/> are dropped with TC set.</summary>
    public static int Write(Span<byte> destination, ReadOnlySpan<byte> query, in DnsQuery q, int rcode, ReadOnlySpan<uint> addresses, int maxSize)
    {
        int questionLength = q.QuestionEnd - DnsCodes.HeaderSize;
        bool withQuestion = q.Type != 0 || q.Class != 0;
        int head = DnsCodes.HeaderSize + (withQuestion ? questionLength : 0);
        int limit = Math.Min(destination.Length, Math.Max(maxSize, head));
        int fit = Math.Min(addresses.Length, (limit - head) / ARecordSize);
        bool truncated = fit < addresses.Length;

        BinaryPrimitives.WriteUInt16BigEndian(destination, q.Id);
        int flags = 0x8000 | (q.Flags & 0x7800) | (q.Flags & 0x0100) | 0x0080 | (rcode & 0xF) | (truncated ? 0x0200 : 0);
        BinaryPrimitives.WriteUInt16BigEndian(destination[2..], (ushort)flags);
        BinaryPrimitives.WriteUInt16BigEndian(destination[4..], (ushort)(withQuestion ? 1 : 0));
        BinaryPrimitives.WriteUInt16BigEndian(destination[6..], (ushort)fit);
        BinaryPrimitives.WriteUInt32BigEndian(destination[8..], 0); // NSCOUNT, ARCOUNT
        if (withQuestion)
        {
            query.Slice(DnsCodes.HeaderSize, questionLength).CopyTo(destination[DnsCodes.HeaderSize..]);
        }
        int offset = head;
        for (int i = 0; i < fit; i++)
        {
            var rr = destination.Slice(offset, ARecordSize);
            BinaryPrimitives.WriteUInt16BigEndian(rr, 0xC000 | DnsCodes.HeaderSize); // pointer to the question name
            BinaryPrimitives.WriteUInt16BigEndian(rr[2..], DnsCodes.TypeA);
            BinaryPrimitives.WriteUInt16BigEndian(rr[4..], DnsCodes.ClassIn);
            BinaryPrimitives.WriteUInt32BigEndian(rr[6..], DnsCodes.AnswerTtl);
            BinaryPrimitives.WriteUInt16BigEndian(rr[10..], 4);
            BinaryPrimitives.WriteUInt32BigEndian(rr[12..], addresses[i]);
            offset += ARecordSize;
        }
        return offset;
    }

    /// <summary>A query for tests and the bench: one question, RD set, optionally with an EDNS OPT record.</summary>
    public static byte[] BuildQuery(ushort id, string name, ushort type, int ednsSize = 0)
    {
        var bytes = new List<byte>(DnsCodes.HeaderSize + name.Length + 16)
        {
            (byte)(id >> 8), (byte)id, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, (byte)(ednsSize > 0 ? 1 : 0),
        };
        foreach (string label in name.TrimEnd('.').Split('.', StringSplitOptions.RemoveEmptyEntries))
        {
            bytes.Add((byte)label.Length);
            bytes.AddRange(Encoding.ASCII.GetBytes(label));
        }
        bytes.AddRange([0, (byte)(type >> 8), (byte)type, 0, 1]);
        if (ednsSize > 0)
        {
            bytes.AddRange([0, 0, 41, (byte)(ednsSize >> 8), (byte)ednsSize, 0, 0, 0, 0, 0, 0]);
        }
        return [.. bytes];
    }
}
