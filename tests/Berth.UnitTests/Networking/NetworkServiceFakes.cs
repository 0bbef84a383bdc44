using System.Net;
using Berth.Engine.Configuration;
using Berth.Engine.Events;
using Berth.Engine.Networks;
using Berth.Linux.Netlink;
using Berth.Networking;
using Berth.Networking.Bridge;
using Berth.Networking.Firewall;
using Microsoft.Extensions.Logging.Abstractions;

namespace Berth.UnitTests.Networking;

/// <summary>A host without links or routes: enough for the service's bookkeeping (devices are never touched in these tests).</summary>
internal sealed class EmptyHostNetlink : IRtNetlink
{
    public void CreateBridge(string name, int? mtu = null) => throw new NotSupportedException();
    public void CreateVeth(string name, string peerName, int? mtu = null) => throw new NotSupportedException();
    public void CreateVethPair(VethPair pair) => throw new NotSupportedException();
    public void SetMaster(string name, string master) => throw new NotSupportedException();
    public void AddRoute(IPAddress destination, int prefixLength, IPAddress gateway, string device) => throw new NotSupportedException();
    public void DeleteLink(string name) => throw new NotSupportedException();
    public void SetUp(string name, bool up = true) => throw new NotSupportedException();
    public void SetMtu(string name, int mtu) => throw new NotSupportedException();
    public void SetName(string name, string newName) => throw new NotSupportedException();
    public void SetMac(string name, ReadOnlySpan<byte> mac) => throw new NotSupportedException();
    public void SetAlias(string name, string alias) => throw new NotSupportedException();
    public void MoveToNetnsByFd(string name, int netnsFd) => throw new NotSupportedException();
    public void MoveToNetnsByPid(string name, int pid) => throw new NotSupportedException();
    public void AddAddress(string name, IPAddress address, int prefixLength) => throw new NotSupportedException();
    public void DeleteAddress(string name, IPAddress address, int prefixLength) => throw new NotSupportedException();
    public LinkInfo? GetLink(string name) => null;
    public IReadOnlyList<LinkInfo> ListLinks() => [];
    public IReadOnlyList<AddressInfo> ListAddresses() => [];
    public IReadOnlyList<RouteInfo> ListRoutes() => [];
    public void Dispose()
    {
    }
}

internal sealed class MemoryNetworkStore : INetworkStore
{
    private readonly Dictionary<string, NetworkRecord> _networks = [];
    private readonly Dictionary<string, Dictionary<string, string>> _addresses = [];

    public IReadOnlyList<NetworkRecord> LoadNetworks() => [.. _networks.Values];

    public void InsertNetwork(NetworkRecord network, IReadOnlyDictionary<string, string> reservedAddresses)
    {
        _networks[network.Id] = network;
        _addresses[network.Id] = new Dictionary<string, string>(reservedAddresses);
    }

    public void DeleteNetwork(string id)
    {
        _networks.Remove(id);
        _addresses.Remove(id);
    }

    public IReadOnlyDictionary<string, string> LoadAddresses(string networkId) => _addresses.GetValueOrDefault(networkId) ?? [];

    public bool TryAddAddress(string networkId, string address, string owner) => _addresses[networkId].TryAdd(address, owner);

    public void RemoveAddress(string networkId, string address) => _addresses[networkId].Remove(address);
}

/// <summary>A NetworkService over the fakes with networks inserted straight into its store (no devices, no rules).</summary>
internal static class TestNetworks
{
    public static NetworkRecord Bridge(string name, string subnet, string gateway, bool userSubnet = true, bool predefined = false, bool @internal = false,
        string? range = null, IReadOnlyDictionary<string, string>? aux = null) => new()
    {
        Id = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(name))),
        Name = name,
        Driver = "bridge",
        Created = DateTimeOffset.UnixEpoch,
        Predefined = predefined,
        Internal = @internal,
        IpamConfig = [new IpamPoolConfig(subnet, range, gateway, aux) { UserSubnet = userSubnet }],
        BridgeName = "br-" + name,
    };

    public static NetworkService Service(params NetworkRecord[] networks)
    {
        var store = new MemoryNetworkStore();
        foreach (var n in networks)
        {
            var reserved = new Dictionary<string, string> { [n.IpamConfig[0].Gateway] = "gateway" };
            foreach (var (key, address) in n.IpamConfig[0].AuxiliaryAddresses ?? new Dictionary<string, string>())
            {
                reserved[address] = "aux:" + key;
            }
            store.InsertNetwork(n, reserved);
        }
        var time = TimeProvider.System;
        var netlink = new EmptyHostNetlink();
        var service = new NetworkService(() => new DaemonConfig { DefaultAddressPools = [new AddressPool("10.250.0.0/16", 24)] }, store,
            new BridgeDevices(netlink, "UT", NullLogger.Instance), new Firewall("UT", new NoIptables(), NullLogger.Instance),
            new EventBus(time), time, NullLogger.Instance);
        service.Load();
        return service;
    }

    private sealed class NoIptables : IIptables
    {
        public IReadOnlyList<string> Save(string table) => [];

        public void Restore(string input)
        {
        }
    }
}
