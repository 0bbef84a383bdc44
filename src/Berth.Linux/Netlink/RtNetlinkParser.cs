using System.Buffers.Binary;
using System.Net;

namespace Berth.Linux.Netlink;

/// <summary>Pure decoders of RTM_NEWLINK / RTM_NEWADDR / RTM_NEWROUTE payloads.</summary>
internal static class RtNetlinkParser
{
    public static LinkInfo Link(byte[] payload)
    {
        int index = BinaryPrimitives.ReadInt32LittleEndian(payload.AsSpan(4));
        uint flags = BinaryPrimitives.ReadUInt32LittleEndian(payload.AsSpan(8));
        var a = NetlinkMessageReader.Attributes(payload, 16);
        string? kind = null;
        if (a.TryGetValue(Nl.IflaLinkinfo, out var info))
        {
            kind = NetlinkMessageReader.String(NetlinkMessageReader.Attributes(info, 0), Nl.IflaInfoKind);
        }
        string? mac = a.TryGetValue(Nl.IflaAddress, out var m) && m.Length == 6
            ? string.Join(':', m.Select(b => b.ToString("x2", System.Globalization.CultureInfo.InvariantCulture)))
            : null;
        uint? master = NetlinkMessageReader.U32(a, Nl.IflaMaster);
        return new LinkInfo(index, NetlinkMessageReader.String(a, Nl.IflaIfname) ?? "", kind, flags,
            (int)(NetlinkMessageReader.U32(a, Nl.IflaMtu) ?? 0), mac, master is { } mi && mi != 0 ? (int)mi : null,
            NetlinkMessageReader.String(a, Nl.IflaIfalias));
    }

    public static AddressInfo? Address(byte[] payload)
    {
        if (payload.Length < 8 || payload[0] != Nl.AfInet)
        {
            return null;
        }
        int prefix = payload[1];
        int index = BinaryPrimitives.ReadInt32LittleEndian(payload.AsSpan(4));
        var a = NetlinkMessageReader.Attributes(payload, 8);
        if (!a.TryGetValue(Nl.IfaLocal, out var bytes) && !a.TryGetValue(Nl.IfaAddress, out bytes))
        {
            return null;
        }
        return new AddressInfo(index, new IPAddress(bytes), prefix, NetlinkMessageReader.String(a, Nl.IfaLabel));
    }

    public static RouteInfo? Route(byte[] payload)
    {
        if (payload.Length < 12 || payload[0] != Nl.AfInet)
        {
            return null;
        }
        int prefix = payload[1];
        var a = NetlinkMessageReader.Attributes(payload, 12);
        var destination = a.TryGetValue(Nl.RtaDst, out var d) ? new IPAddress(d) : IPAddress.Any;
        var gateway = a.TryGetValue(Nl.RtaGateway, out var g) ? new IPAddress(g) : null;
        uint? oif = NetlinkMessageReader.U32(a, Nl.RtaOif);
        uint table = NetlinkMessageReader.U32(a, Nl.RtaTable) ?? payload[4];
        return new RouteInfo(destination, prefix, oif is { } o ? (int)o : null, gateway, table);
    }
}
