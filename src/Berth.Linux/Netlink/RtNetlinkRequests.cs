using System.Net;
using System.Net.Sockets;

namespace Berth.Linux.Netlink;

/// <summary>
/// Pure builders of rtnetlink requests, separate from the socket so unit tests can pin their bytes.
/// Every change request asks for an ack so failures come back as errno instead of silence.
/// </summary>
internal static class RtNetlinkRequests
{
    private const ushort CreateFlags = Nl.Request | Nl.Ack | Nl.Create | Nl.Excl;
    private const ushort ChangeFlags = Nl.Request | Nl.Ack;

    /// <summary>ip link add NAME [mtu MTU] type bridge</summary>
    public static byte[] NewBridge(uint seq, string name, int? mtu)
    {
        var w = new NetlinkMessageWriter(Nl.NewLink, CreateFlags, seq).IfInfo(Nl.AfUnspec, 0).AttrString(Nl.IflaIfname, name);
        if (mtu is { } m)
        {
            w.AttrU32(Nl.IflaMtu, (uint)m);
        }
        return w.BeginNested(Nl.IflaLinkinfo).AttrString(Nl.IflaInfoKind, "bridge").EndNested().ToArray();
    }

    /// <summary>ip link add NAME [mtu MTU] type veth peer name PEER [mtu MTU]</summary>
    public static byte[] NewVeth(uint seq, string name, string peer, int? mtu)
    {
        var w = new NetlinkMessageWriter(Nl.NewLink, CreateFlags, seq).IfInfo(Nl.AfUnspec, 0).AttrString(Nl.IflaIfname, name);
        if (mtu is { } m)
        {
            w.AttrU32(Nl.IflaMtu, (uint)m);
        }
        w.BeginNested(Nl.IflaLinkinfo).AttrString(Nl.IflaInfoKind, "veth")
            .BeginNested(Nl.IflaInfoData)
            // VETH_INFO_PEER carries a whole ifinfomsg followed by the peer's own attributes.
            .BeginNested(Nl.VethInfoPeer).IfInfo(Nl.AfUnspec, 0).AttrString(Nl.IflaIfname, peer);
        if (mtu is { } pm)
        {
            w.AttrU32(Nl.IflaMtu, (uint)pm);
        }
        return w.EndNested().EndNested().EndNested().ToArray();
    }

    /// <summary>
    /// ip link add NAME [mtu MTU] [master INDEX] [up] type veth peer name PEER [mtu MTU] [address MAC]
    /// [netns FD]: one request creates both ends, enslaves and raises the host end, and
    /// creates the peer directly inside the target namespace (so its name cannot collide on the host).
    /// </summary>
    public static byte[] NewVethPair(uint seq, VethPair pair, int? masterIndex)
    {
        uint up = pair.Up ? Nl.IffUp : 0;
        var w = new NetlinkMessageWriter(Nl.NewLink, CreateFlags, seq).IfInfo(Nl.AfUnspec, 0, up, up).AttrString(Nl.IflaIfname, pair.Name);
        if (pair.Mtu is { } m)
        {
            w.AttrU32(Nl.IflaMtu, (uint)m);
        }
        if (masterIndex is { } master)
        {
            w.AttrU32(Nl.IflaMaster, (uint)master);
        }
        w.BeginNested(Nl.IflaLinkinfo).AttrString(Nl.IflaInfoKind, "veth")
            .BeginNested(Nl.IflaInfoData)
            // The peer stays down: raising it in the same request fails with ENOTCONN when it is
            // created in another namespace (kernel 6.x); the caller raises it there.
            .BeginNested(Nl.VethInfoPeer).IfInfo(Nl.AfUnspec, 0).AttrString(Nl.IflaIfname, pair.PeerName);
        if (pair.Mtu is { } pm)
        {
            w.AttrU32(Nl.IflaMtu, (uint)pm);
        }
        if (pair.PeerMac is { } mac)
        {
            w.Attr(Nl.IflaAddress, mac);
        }
        if (pair.PeerNetnsFd is { } fd)
        {
            w.AttrU32(Nl.IflaNetNsFd, (uint)fd);
        }
        return w.EndNested().EndNested().EndNested().ToArray();
    }

    /// <summary>ip link set INDEX master MASTER (0 releases it from its master).</summary>
    public static byte[] SetMaster(uint seq, int index, int masterIndex) =>
        Change(seq, index).AttrU32(Nl.IflaMaster, (uint)masterIndex).ToArray();

    /// <summary>ip route add DST/LEN via GATEWAY dev OIF (main table, proto boot, scope universe, unicast).</summary>
    public static byte[] NewRoute(uint seq, IPAddress destination, int prefixLength, IPAddress gateway, int outputIndex)
    {
        var w = new NetlinkMessageWriter(Nl.NewRoute, CreateFlags, seq)
            .RtMsg(Nl.AfInet, (byte)prefixLength, Nl.RtTableMain, Nl.RtProtBoot, Nl.RtScopeUniverse, Nl.RtnUnicast);
        if (prefixLength > 0)
        {
            w.Attr(Nl.RtaDst, V4(destination));
        }
        return w.Attr(Nl.RtaGateway, V4(gateway)).AttrU32(Nl.RtaOif, (uint)outputIndex).ToArray();
    }

    public static byte[] DeleteLink(uint seq, int index) =>
        new NetlinkMessageWriter(Nl.DelLink, ChangeFlags, seq).IfInfo(Nl.AfUnspec, index).ToArray();

    /// <summary>ip link set INDEX up|down: only the IFF_UP bit changes.</summary>
    public static byte[] SetUp(uint seq, int index, bool up) =>
        new NetlinkMessageWriter(Nl.NewLink, ChangeFlags, seq).IfInfo(Nl.AfUnspec, index, up ? Nl.IffUp : 0, Nl.IffUp).ToArray();

    public static byte[] SetMtu(uint seq, int index, int mtu) =>
        Change(seq, index).AttrU32(Nl.IflaMtu, (uint)mtu).ToArray();

    public static byte[] SetName(uint seq, int index, string name) =>
        Change(seq, index).AttrString(Nl.IflaIfname, name).ToArray();

    public static byte[] SetMac(uint seq, int index, ReadOnlySpan<byte> mac) =>
        Change(seq, index).Attr(Nl.IflaAddress, mac).ToArray();

    /// <summary>ip link set INDEX alias TEXT (IFLA_IFALIAS is not NUL-terminated in iproute2, either works).</summary>
    public static byte[] SetAlias(uint seq, int index, string alias) =>
        Change(seq, index).AttrString(Nl.IflaIfalias, alias).ToArray();

    public static byte[] MoveToNetnsByPid(uint seq, int index, int pid) =>
        Change(seq, index).AttrU32(Nl.IflaNetNsPid, (uint)pid).ToArray();

    public static byte[] MoveToNetnsByFd(uint seq, int index, int fd) =>
        Change(seq, index).AttrU32(Nl.IflaNetNsFd, (uint)fd).ToArray();

    /// <summary>ip addr add ADDRESS/PREFIX dev INDEX (IFA_LOCAL and IFA_ADDRESS equal, as iproute2 sends for non-p2p links).</summary>
    public static byte[] NewAddress(uint seq, int index, IPAddress address, int prefixLength) =>
        Address(Nl.NewAddr, (ushort)(CreateFlags), seq, index, address, prefixLength);

    public static byte[] DeleteAddress(uint seq, int index, IPAddress address, int prefixLength) =>
        Address(Nl.DelAddr, ChangeFlags, seq, index, address, prefixLength);

    public static byte[] GetLink(uint seq, string name) =>
        new NetlinkMessageWriter(Nl.GetLink, Nl.Request, seq).IfInfo(Nl.AfUnspec, 0).AttrString(Nl.IflaIfname, name).ToArray();

    public static byte[] DumpLinks(uint seq) =>
        new NetlinkMessageWriter(Nl.GetLink, Nl.Request | Nl.Dump, seq).IfInfo(Nl.AfUnspec, 0).ToArray();

    public static byte[] DumpAddresses(uint seq) =>
        new NetlinkMessageWriter(Nl.GetAddr, Nl.Request | Nl.Dump, seq).IfAddr(Nl.AfInet, 0, 0, 0).ToArray();

    public static byte[] DumpRoutes(uint seq) =>
        new NetlinkMessageWriter(Nl.GetRoute, Nl.Request | Nl.Dump, seq).RtMsg(Nl.AfInet).ToArray();

    private static byte[] V4(IPAddress address) =>
        address.AddressFamily == AddressFamily.InterNetwork ? address.GetAddressBytes() : throw new ArgumentException("only IPv4 addresses are supported", nameof(address));

    private static NetlinkMessageWriter Change(uint seq, int index) =>
        new NetlinkMessageWriter(Nl.NewLink, ChangeFlags, seq).IfInfo(Nl.AfUnspec, index);

    private static byte[] Address(ushort type, ushort flags, uint seq, int index, IPAddress address, int prefixLength)
    {
        if (address.AddressFamily != AddressFamily.InterNetwork)
        {
            throw new ArgumentException("only IPv4 addresses are supported", nameof(address));
        }
        byte[] bytes = address.GetAddressBytes();
        return new NetlinkMessageWriter(type, flags, seq)
            .IfAddr(Nl.AfInet, (byte)prefixLength, 0, index)
            .Attr(Nl.IfaLocal, bytes)
            .Attr(Nl.IfaAddress, bytes)
            .ToArray();
    }
}
