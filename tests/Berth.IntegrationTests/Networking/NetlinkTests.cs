using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using Berth.IntegrationTests.Harness;
using Berth.Linux.Netlink;

namespace Berth.IntegrationTests.Networking;

/// <summary>
/// The rtnetlink client against the real kernel: every link is named bt&lt;random&gt; (and a netns
/// btns&lt;random&gt;), checked with iproute2's JSON output, and removed in finally blocks.
/// </summary>
public sealed class NetlinkTests
{
    private readonly ITestOutputHelper _output;
    private readonly string _id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4))[..7];

    public NetlinkTests(ITestOutputHelper output)
    {
        _output = output;
    }

    [Fact]
    public async Task Bridge_CreateAddressUpAliasMtu_ThenDelete()
    {
        string name = "bt" + _id;
        using var netlink = new RtNetlink();
        try
        {
            var watch = Stopwatch.StartNew();
            netlink.CreateBridge(name, 1400);
            netlink.SetAlias(name, "berth:test:" + _id);
            netlink.AddAddress(name, IPAddress.Parse("10.254.77.1"), 24);
            netlink.SetUp(name);
            _output.WriteLine($"bridge create+alias+address+up: {watch.Elapsed.TotalMilliseconds:F2} ms");

            var link = await HostNet.LinkAsync(name);
            Assert.NotNull(link);
            Assert.Equal("bridge", link.Value.GetProperty("linkinfo").GetProperty("info_kind").GetString());
            Assert.Equal(1400, link.Value.GetProperty("mtu").GetInt32());
            Assert.Equal("berth:test:" + _id, link.Value.GetProperty("ifalias").GetString());
            Assert.Contains("UP", link.Value.GetProperty("flags").EnumerateArray().Select(f => f.GetString()));
            Assert.Equal(["10.254.77.1/24"], await HostNet.Ipv4AddressesAsync(name));

            var mine = netlink.GetLink(name);
            Assert.NotNull(mine);
            Assert.Equal("bridge", mine.Kind);
            Assert.Equal("berth:test:" + _id, mine.Alias);
            Assert.Contains(netlink.ListAddresses(), a => a.Index == mine.Index && a.Address.Equals(IPAddress.Parse("10.254.77.1")) && a.PrefixLength == 24);
            Assert.Contains(netlink.ListRoutes(), r => r.OutputIndex == mine.Index && r.Destination.Equals(IPAddress.Parse("10.254.77.0")) && r.PrefixLength == 24);

            netlink.DeleteAddress(name, IPAddress.Parse("10.254.77.1"), 24);
            Assert.Empty((await HostNet.Ipv4AddressesAsync(name))!);
            var duplicate = Assert.Throws<NetlinkException>(() => netlink.CreateBridge(name));
            Assert.Equal(NetlinkException.EEXIST, duplicate.Errno);

            netlink.DeleteLink(name);
            Assert.Null(await HostNet.LinkAsync(name));
            Assert.Null(netlink.GetLink(name));
        }
        finally
        {
            await ProcessRunner.RunAsync("ip", ["link", "del", name]);
        }
    }

    [Fact]
    public async Task Veth_CreateSetMacMtuRename_MoveIntoNetns()
    {
        string a = "bt" + _id + "a", b = "bt" + _id + "b", renamed = "bt" + _id + "r", ns = "btns" + _id;
        using var netlink = new RtNetlink();
        try
        {
            (await ProcessRunner.RunAsync("ip", ["netns", "add", ns])).EnsureSuccess();
            var watch = Stopwatch.StartNew();
            netlink.CreateVeth(a, b);
            using (var nsFile = File.OpenHandle($"/run/netns/{ns}"))
            {
                netlink.MoveToNetnsByFd(b, (int)nsFile.DangerousGetHandle());
            }
            _output.WriteLine($"veth create+move: {watch.Elapsed.TotalMilliseconds:F2} ms");

            Assert.Equal("veth", (await HostNet.LinkAsync(a))!.Value.GetProperty("linkinfo").GetProperty("info_kind").GetString());
            Assert.Null(await HostNet.LinkAsync(b));
            Assert.NotNull(await HostNet.LinkAsync(b, ns));

            netlink.SetMac(a, [0x02, 0x42, 10, 254, 78, 2]);
            netlink.SetMtu(a, 1300);
            netlink.SetName(a, renamed);
            var link = (await HostNet.LinkAsync(renamed))!.Value;
            Assert.Equal("02:42:0a:fe:4e:02", link.GetProperty("address").GetString());
            Assert.Equal(1300, link.GetProperty("mtu").GetInt32());

            netlink.DeleteLink(renamed); // takes the peer in the namespace with it
            Assert.Null(await HostNet.LinkAsync(renamed));
            Assert.Null(await HostNet.LinkAsync(b, ns));
        }
        finally
        {
            await ProcessRunner.RunAsync("ip", ["link", "del", a]);
            await ProcessRunner.RunAsync("ip", ["link", "del", renamed]);
            await ProcessRunner.RunAsync("ip", ["netns", "del", ns]);
        }
    }

    [Fact]
    public void MissingLink_IsEnodev()
    {
        using var netlink = new RtNetlink();
        var error = Assert.Throws<NetlinkException>(() => netlink.DeleteLink("bt" + _id + "x"));
        Assert.Equal(NetlinkException.ENODEV, error.Errno);
    }
}
