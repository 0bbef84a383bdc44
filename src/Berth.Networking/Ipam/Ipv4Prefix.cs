using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Berth.Networking.Ipam;

/// <summary>
/// An IPv4 address with a prefix length, as 32-bit integers (IPAM is all range arithmetic).
/// <see cref="Address"/> may have host bits set: "10.0.0.1/24" is kept as written so validation
/// can say what the masked form should have been, as dockerd does.
/// </summary>
public readonly record struct Ipv4Prefix(uint Address, int Bits)
{
    public uint Mask => Bits == 0 ? 0 : uint.MaxValue << (32 - Bits);
    public uint First => Address & Mask;
    public uint Last => First | ~Mask;
    public ulong Size => 1UL << (32 - Bits);
    public bool IsMasked => Address == First;
    public Ipv4Prefix Masked => new(First, Bits);

    public bool Contains(uint address) => (address & Mask) == First;

    public bool Overlaps(Ipv4Prefix other) => First <= other.Last && other.First <= Last;

    public override string ToString() => $"{Format(Address)}/{Bits}";

    /// <summary>Parses "a.b.c.d/n" (IPv4 only, strict dotted quad).</summary>
    public static bool TryParse(string? text, out Ipv4Prefix prefix)
    {
        prefix = default;
        if (text is null)
        {
            return false;
        }
        int slash = text.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0 || !TryParseAddress(text[..slash], out uint address) ||
            !int.TryParse(text.AsSpan(slash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out int bits) || bits > 32 ||
            text.AsSpan(slash + 1).Length > 2)
        {
            return false;
        }
        prefix = new Ipv4Prefix(address, bits);
        return true;
    }

    public static Ipv4Prefix Parse(string text) =>
        TryParse(text, out var p) ? p : throw new FormatException($"not an IPv4 CIDR: {text}");

    /// <summary>Strict dotted quad: four decimal octets, no leading zeros (Go's netip rejects them too).</summary>
    public static bool TryParseAddress(string? text, out uint address)
    {
        address = 0;
        if (string.IsNullOrEmpty(text))
        {
            return false;
        }
        var parts = text.Split('.');
        if (parts.Length != 4)
        {
            return false;
        }
        foreach (var part in parts)
        {
            if (part.Length is 0 or > 3 || (part.Length > 1 && part[0] == '0') || !part.All(char.IsAsciiDigit))
            {
                return false;
            }
            int octet = int.Parse(part, CultureInfo.InvariantCulture);
            if (octet > 255)
            {
                return false;
            }
            address = (address << 8) | (uint)octet;
        }
        return true;
    }

    /// <summary>True when the text is an IPv6 address or prefix (for "parent subnet is an IPv4 block").</summary>
    public static bool LooksIpv6(string text)
    {
        string head = text.Split('/')[0];
        return IPAddress.TryParse(head, out var a) && a.AddressFamily == AddressFamily.InterNetworkV6;
    }

    public static string Format(uint address) =>
        string.Create(CultureInfo.InvariantCulture, $"{address >> 24}.{(address >> 16) & 255}.{(address >> 8) & 255}.{address & 255}");

    public static uint FromIPAddress(IPAddress address) =>
        BinaryPrimitives.ReadUInt32BigEndian(address.GetAddressBytes());

    public static IPAddress ToIPAddress(uint address)
    {
        var bytes = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, address);
        return new IPAddress(bytes);
    }
}
