using System.Net;
using Berth.Linux.Netlink;

namespace Berth.UnitTests.Networking;

/// <summary>Request bytes pinned against hand-assembled layouts of linux/rtnetlink.h structs.</summary>
public sealed class NetlinkEncodingTests
{
    [Fact]
    public void NewBridge_HeaderIfInfoNameMtuAndNestedKind()
    {
        byte[] expected =
        [
            0x40, 0, 0, 0, 0x10, 0, 0x05, 0x06, 1, 0, 0, 0, 0, 0, 0, 0,     // nlmsghdr: len 64, RTM_NEWLINK, REQUEST|ACK|EXCL|CREATE, seq 1
            0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,                  // ifinfomsg
            8, 0, 3, 0, (byte)'b', (byte)'t', (byte)'0', 0,                  // IFLA_IFNAME "bt0"
            8, 0, 4, 0, 0xdc, 0x05, 0, 0,                                    // IFLA_MTU 1500
            16, 0, 18, 0,                                                    // IFLA_LINKINFO
            11, 0, 1, 0, (byte)'b', (byte)'r', (byte)'i', (byte)'d', (byte)'g', (byte)'e', 0, 0, // IFLA_INFO_KIND "bridge" + pad
        ];
        Assert.Equal(expected, RtNetlinkRequests.NewBridge(1, "bt0", 1500));
    }

    [Fact]
    public void NewVeth_PeerIsNestedIfInfoWithName()
    {
        byte[] expected =
        [
            88, 0, 0, 0, 0x10, 0, 0x05, 0x06, 2, 0, 0, 0, 0, 0, 0, 0,
            0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
            8, 0, 3, 0, (byte)'v', (byte)'e', (byte)'0', 0,
            48, 0, 18, 0,                                                    // IFLA_LINKINFO
            9, 0, 1, 0, (byte)'v', (byte)'e', (byte)'t', (byte)'h', 0, 0, 0, 0, // IFLA_INFO_KIND "veth"
            32, 0, 2, 0,                                                     // IFLA_INFO_DATA
            28, 0, 1, 0,                                                     // VETH_INFO_PEER
            0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,                  // peer ifinfomsg
            8, 0, 3, 0, (byte)'v', (byte)'e', (byte)'1', 0,
        ];
        Assert.Equal(expected, RtNetlinkRequests.NewVeth(2, "ve0", "ve1", null));
    }

    [Fact]
    public void NewAddress_LocalAndAddressAttributes()
    {
        byte[] expected =
        [
            40, 0, 0, 0, 0x14, 0, 0x05, 0x06, 3, 0, 0, 0, 0, 0, 0, 0,
            2, 24, 0, 0, 7, 0, 0, 0,                                         // ifaddrmsg AF_INET /24 index 7
            8, 0, 2, 0, 10, 1, 2, 1,                                         // IFA_LOCAL
            8, 0, 1, 0, 10, 1, 2, 1,                                         // IFA_ADDRESS
        ];
        Assert.Equal(expected, RtNetlinkRequests.NewAddress(3, 7, IPAddress.Parse("10.1.2.1"), 24));
    }

    [Fact]
    public void SetUp_ChangesOnlyIffUp()
    {
        byte[] up =
        [
            32, 0, 0, 0, 0x10, 0, 0x05, 0, 4, 0, 0, 0, 0, 0, 0, 0,
            0, 0, 0, 0, 7, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0,
        ];
        Assert.Equal(up, RtNetlinkRequests.SetUp(4, 7, true));
        byte[] down = RtNetlinkRequests.SetUp(4, 7, false);
        Assert.Equal(0, down[24]);
        Assert.Equal(1, down[28]);
    }

    [Fact]
    public void MoveToNetnsByFd_And_DeleteLink()
    {
        byte[] move =
        [
            40, 0, 0, 0, 0x10, 0, 0x05, 0, 5, 0, 0, 0, 0, 0, 0, 0,
            0, 0, 0, 0, 9, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
            8, 0, 28, 0, 42, 0, 0, 0,                                        // IFLA_NET_NS_FD 42
        ];
        Assert.Equal(move, RtNetlinkRequests.MoveToNetnsByFd(5, 9, 42));
        byte[] delete =
        [
            32, 0, 0, 0, 0x11, 0, 0x05, 0, 6, 0, 0, 0, 0, 0, 0, 0,
            0, 0, 0, 0, 9, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        ];
        Assert.Equal(delete, RtNetlinkRequests.DeleteLink(6, 9));
    }

    [Fact]
    public void NewVethPair_HostEndOnBridgeAndUp_PeerNamedWithMacInsideNamespaceAndDown()
    {
        byte[] expected =
        [
            140, 0, 0, 0, 0x10, 0, 0x05, 0x06, 8, 0, 0, 0, 0, 0, 0, 0,
            0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0,                  // ifinfomsg: IFF_UP set and changed
            12, 0, 3, 0, (byte)'v', (byte)'e', (byte)'t', (byte)'h', (byte)'a', (byte)'b', (byte)'c', 0,
            8, 0, 4, 0, 0x78, 0x05, 0, 0,                                    // IFLA_MTU 1400
            8, 0, 10, 0, 3, 0, 0, 0,                                         // IFLA_MASTER 3
            80, 0, 18, 0,                                                    // IFLA_LINKINFO
            9, 0, 1, 0, (byte)'v', (byte)'e', (byte)'t', (byte)'h', 0, 0, 0, 0,
            64, 0, 2, 0,                                                     // IFLA_INFO_DATA
            60, 0, 1, 0,                                                     // VETH_INFO_PEER
            0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,                  // peer ifinfomsg: left down
            9, 0, 3, 0, (byte)'e', (byte)'t', (byte)'h', (byte)'0', 0, 0, 0, 0,
            8, 0, 4, 0, 0x78, 0x05, 0, 0,
            10, 0, 1, 0, 0x02, 0x42, 10, 0, 0, 2, 0, 0,                      // IFLA_ADDRESS
            8, 0, 28, 0, 5, 0, 0, 0,                                         // IFLA_NET_NS_FD 5
        ];
        var pair = new VethPair("vethabc", "eth0", 1400, "br", [0x02, 0x42, 10, 0, 0, 2], 5, Up: true);
        Assert.Equal(expected, RtNetlinkRequests.NewVethPair(8, pair, 3));
    }

    [Fact]
    public void NewRoute_DefaultViaGatewayOnDevice_AndSetMaster()
    {
        byte[] route =
        [
            44, 0, 0, 0, 0x18, 0, 0x05, 0x06, 9, 0, 0, 0, 0, 0, 0, 0,
            2, 0, 0, 0, 254, 3, 0, 1, 0, 0, 0, 0,                            // rtmsg: AF_INET /0 main boot universe unicast
            8, 0, 5, 0, 10, 0, 0, 1,                                         // RTA_GATEWAY
            8, 0, 4, 0, 4, 0, 0, 0,                                          // RTA_OIF
        ];
        Assert.Equal(route, RtNetlinkRequests.NewRoute(9, IPAddress.Any, 0, IPAddress.Parse("10.0.0.1"), 4));
        byte[] master =
        [
            40, 0, 0, 0, 0x10, 0, 0x05, 0, 10, 0, 0, 0, 0, 0, 0, 0,
            0, 0, 0, 0, 7, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
            8, 0, 10, 0, 3, 0, 0, 0,
        ];
        Assert.Equal(master, RtNetlinkRequests.SetMaster(10, 7, 3));
    }

    [Fact]
    public void DumpRequests_CarryDumpFlag()
    {
        Assert.Equal(new byte[] { 28, 0, 0, 0, 26, 0, 0x01, 0x03, 7, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 },
            RtNetlinkRequests.DumpRoutes(7));
    }

    [Fact]
    public void Parser_ReadsLinkReply()
    {
        // A reply is laid out like a request; reuse the writer to fake the kernel's RTM_NEWLINK.
        byte[] message = new NetlinkMessageWriter(16, 0, 1).IfInfo(0, 12, 0x1043)
            .AttrString(3, "bt0").AttrU32(4, 1500).Attr(1, [0x02, 0x42, 10, 1, 2, 3]).AttrU32(10, 4)
            .AttrString(20, "berth:BERTH:abc")
            .BeginNested(18).AttrString(1, "bridge").EndNested().ToArray();
        var parsed = NetlinkMessageReader.Split(message);
        var link = RtNetlinkParser.Link(Assert.Single(parsed).Payload);
        Assert.Equal(new LinkInfo(12, "bt0", "bridge", 0x1043, 1500, "02:42:0a:01:02:03", 4, "berth:BERTH:abc"), link);
        Assert.True(link.IsUp);
    }

    [Fact]
    public void Parser_ReadsRouteAndAddress()
    {
        byte[] route = new NetlinkMessageWriter(24, 0, 1).RtMsg(2).AttrU32(15, 254).Attr(1, [10, 9, 0, 0]).AttrU32(4, 3).ToArray();
        route[Nl.HeaderLength + 1] = 16; // rtm_dst_len
        var r = RtNetlinkParser.Route(NetlinkMessageReader.Split(route)[0].Payload);
        Assert.Equal(new RouteInfo(IPAddress.Parse("10.9.0.0"), 16, 3, null, 254), r);

        byte[] address = new NetlinkMessageWriter(20, 0, 1).IfAddr(2, 24, 0, 5).Attr(2, [10, 9, 0, 1]).AttrString(3, "eth0").ToArray();
        var a = RtNetlinkParser.Address(NetlinkMessageReader.Split(address)[0].Payload);
        Assert.Equal(new AddressInfo(5, IPAddress.Parse("10.9.0.1"), 24, "eth0"), a);
    }

    [Fact]
    public void ErrorCode_IsPositiveErrno()
    {
        Assert.Equal(17, NetlinkMessageReader.ErrorCode([0xef, 0xff, 0xff, 0xff]));
        Assert.Equal(0, NetlinkMessageReader.ErrorCode([0, 0, 0, 0]));
    }
}
