using System.Net;

namespace Berth.Linux.Netlink;

/// <summary>rtnetlink over one NETLINK_ROUTE socket of the calling process's network namespace.</summary>
public sealed class RtNetlink : IRtNetlink
{
    private readonly NetlinkSocket _socket = new();

    public void CreateBridge(string name, int? mtu = null) =>
        _socket.Execute(RtNetlinkRequests.NewBridge(_socket.NextSequence(), name, mtu), $"create bridge {name}");

    public void CreateVeth(string name, string peerName, int? mtu = null) =>
        _socket.Execute(RtNetlinkRequests.NewVeth(_socket.NextSequence(), name, peerName, mtu), $"create veth {name}/{peerName}");

    public void CreateVethPair(VethPair pair) =>
        _socket.Execute(RtNetlinkRequests.NewVethPair(_socket.NextSequence(), pair, pair.Master is { } m ? IndexOf(m) : null),
            $"create veth {pair.Name}/{pair.PeerName}");

    public void SetMaster(string name, string master) =>
        _socket.Execute(RtNetlinkRequests.SetMaster(_socket.NextSequence(), IndexOf(name), IndexOf(master)), $"set master of {name} to {master}");

    public void AddRoute(IPAddress destination, int prefixLength, IPAddress gateway, string device) =>
        _socket.Execute(RtNetlinkRequests.NewRoute(_socket.NextSequence(), destination, prefixLength, gateway, IndexOf(device)),
            $"add route {destination}/{prefixLength} via {gateway} dev {device}");

    public void DeleteLink(string name) =>
        _socket.Execute(RtNetlinkRequests.DeleteLink(_socket.NextSequence(), IndexOf(name)), $"delete link {name}");

    public void SetUp(string name, bool up = true) =>
        _socket.Execute(RtNetlinkRequests.SetUp(_socket.NextSequence(), IndexOf(name), up), $"set link {name} {(up ? "up" : "down")}");

    public void SetMtu(string name, int mtu) =>
        _socket.Execute(RtNetlinkRequests.SetMtu(_socket.NextSequence(), IndexOf(name), mtu), $"set mtu of {name}");

    public void SetName(string name, string newName) =>
        _socket.Execute(RtNetlinkRequests.SetName(_socket.NextSequence(), IndexOf(name), newName), $"rename link {name} to {newName}");

    public void SetMac(string name, ReadOnlySpan<byte> mac) =>
        _socket.Execute(RtNetlinkRequests.SetMac(_socket.NextSequence(), IndexOf(name), mac), $"set mac of {name}");

    public void SetAlias(string name, string alias) =>
        _socket.Execute(RtNetlinkRequests.SetAlias(_socket.NextSequence(), IndexOf(name), alias), $"set alias of {name}");

    public void MoveToNetnsByFd(string name, int netnsFd) =>
        _socket.Execute(RtNetlinkRequests.MoveToNetnsByFd(_socket.NextSequence(), IndexOf(name), netnsFd), $"move {name} to netns fd {netnsFd}");

    public void MoveToNetnsByPid(string name, int pid) =>
        _socket.Execute(RtNetlinkRequests.MoveToNetnsByPid(_socket.NextSequence(), IndexOf(name), pid), $"move {name} to netns of pid {pid}");

    public void AddAddress(string name, IPAddress address, int prefixLength) =>
        _socket.Execute(RtNetlinkRequests.NewAddress(_socket.NextSequence(), IndexOf(name), address, prefixLength), $"add address {address}/{prefixLength} to {name}");

    public void DeleteAddress(string name, IPAddress address, int prefixLength) =>
        _socket.Execute(RtNetlinkRequests.DeleteAddress(_socket.NextSequence(), IndexOf(name), address, prefixLength), $"delete address {address}/{prefixLength} from {name}");

    public LinkInfo? GetLink(string name)
    {
        try
        {
            var replies = _socket.Query(RtNetlinkRequests.GetLink(_socket.NextSequence(), name), $"get link {name}", dump: false);
            return replies.Where(m => m.Type == Nl.NewLink).Select(m => RtNetlinkParser.Link(m.Payload)).FirstOrDefault();
        }
        catch (NetlinkException e) when (e.Errno is NetlinkException.ENODEV)
        {
            return null;
        }
    }

    public IReadOnlyList<LinkInfo> ListLinks() =>
        _socket.Query(RtNetlinkRequests.DumpLinks(_socket.NextSequence()), "list links")
            .Where(m => m.Type == Nl.NewLink).Select(m => RtNetlinkParser.Link(m.Payload)).ToList();

    public IReadOnlyList<AddressInfo> ListAddresses() =>
        _socket.Query(RtNetlinkRequests.DumpAddresses(_socket.NextSequence()), "list addresses")
            .Where(m => m.Type == Nl.NewAddr).Select(m => RtNetlinkParser.Address(m.Payload)).OfType<AddressInfo>().ToList();

    public IReadOnlyList<RouteInfo> ListRoutes() =>
        _socket.Query(RtNetlinkRequests.DumpRoutes(_socket.NextSequence()), "list routes")
            .Where(m => m.Type == Nl.NewRoute).Select(m => RtNetlinkParser.Route(m.Payload)).OfType<RouteInfo>().ToList();

    public void Dispose() => _socket.Dispose();

    private int IndexOf(string name) =>
        GetLink(name)?.Index ?? throw new NetlinkException($"link {name}: {System.Runtime.InteropServices.Marshal.GetPInvokeErrorMessage(NetlinkException.ENODEV)}", NetlinkException.ENODEV);
}
