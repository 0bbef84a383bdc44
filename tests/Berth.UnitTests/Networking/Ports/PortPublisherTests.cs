using System.Net.Sockets;
using Berth.Engine.Errors;
using Berth.Engine.Networks;
using Berth.Networking.Firewall;
using Berth.Networking.Ports;
using Microsoft.Extensions.Logging.Abstractions;

namespace Berth.UnitTests.Networking.Ports;

/// <summary>The publisher's bookkeeping with fake sockets and iptables: all-or-nothing, dockerd's errors, release.</summary>
public sealed class PortPublisherTests
{
    private static readonly PublishTarget Target = new("c1", "web", "ep1", "br-x", "172.18.0.2");

    private sealed class FakeIptables : IIptables
    {
        public List<string> Restores { get; } = [];
        public bool Fail { get; set; }

        public IReadOnlyList<string> Save(string table) => [];

        public void Restore(string input)
        {
            if (Fail)
            {
                throw new InvalidOperationException("iptables-restore failed: boom");
            }
            Restores.Add(input);
        }
    }

    private sealed class FakeBinder : IHostPortBinder
    {
        public HashSet<(string, string, int)> Busy { get; } = [];
        public HashSet<(string, string, int)> Bound { get; } = [];
        public int Listening { get; private set; }

        public IHostPortReservation Bind(string ip, string proto, int port)
        {
            if (Busy.Contains((ip, proto, port)) || !Bound.Add((ip, proto, port)))
            {
                throw new SocketException((int)SocketError.AddressAlreadyInUse);
            }
            return new Reservation(this, (ip, proto, port));
        }

        private sealed class Reservation(FakeBinder owner, (string, string, int) key) : IHostPortReservation
        {
            public void Listen() => owner.Listening++;
            public void Dispose() => owner.Bound.Remove(key);
        }
    }

    private static (PortPublisher Publisher, FakeIptables Iptables, FakeBinder Binder) Create(EphemeralPortRange? range = null)
    {
        var iptables = new FakeIptables();
        var firewall = new Firewall("P", iptables, NullLogger.Instance);
        firewall.Apply([new BridgeRules("br-x", "172.18.0.0/16", false, true, true)]);
        var binder = new FakeBinder();
        return (new PortPublisher(new PortAllocator(range ?? new EphemeralPortRange(32768, 32770)), binder, firewall, NullLogger.Instance), iptables, binder);
    }

    private static PortRequest Req(int port, string hostIp = "", int start = 0, int end = 0, string proto = "tcp") =>
        new(new PortKey(port, proto), hostIp, start, end);

    [Fact]
    public void Publish_ReservesBindsProgramsAndListens()
    {
        var (publisher, iptables, binder) = Create();
        var published = publisher.Publish(Target, [Req(80), Req(443, "127.0.0.1", 18443, 18443), Req(53, proto: "udp")]);
        Assert.Equal(
        [
            new PublishedPort("tcp", 443, "127.0.0.1", 18443),
            new PublishedPort("udp", 53, "0.0.0.0", 32768),
            new PublishedPort("tcp", 80, "0.0.0.0", 32768),
        ], published);
        Assert.Equal(3, binder.Bound.Count);
        Assert.Equal(3, binder.Listening);
        string last = iptables.Restores[^1];
        Assert.Contains("-A P -d 127.0.0.1/32 -p tcp -m tcp --dport 18443 -j DNAT --to-destination 172.18.0.2:443\n", last);
        Assert.Contains("-A P -p udp -m udp --dport 32768 -j DNAT --to-destination 172.18.0.2:53\n", last);
        Assert.Contains("-A P -d 172.18.0.2/32 ! -i br-x -o br-x -p tcp -m tcp --dport 80 -j ACCEPT\n", last);
        Assert.Contains("-A P-POSTROUTING -s 172.18.0.2/32 -d 172.18.0.2/32 -p tcp -m tcp --dport 80 -j MASQUERADE\n", last);

        publisher.Unpublish("c1");
        Assert.Empty(binder.Bound);
        Assert.DoesNotContain("DNAT", iptables.Restores[^1]);
        Assert.Empty(publisher.HeldBy("c1"));
    }

    [Fact]
    public void SecondContainer_SameExactPort_GetsDockerdsErrorAndKeepsNothing()
    {
        var (publisher, _, binder) = Create();
        publisher.Publish(Target, [Req(80, "", 18080, 18080)]);
        var e = Assert.Throws<DaemonException>(() => publisher.Publish(Target with { ContainerId = "c2", EndpointName = "other", EndpointId = "ep2" },
            [Req(81, "", 18081, 18081), Req(80, "", 18080, 18080)]));
        Assert.Equal(ErrorKind.System, e.Kind);
        Assert.Equal("driver failed programming external connectivity on endpoint other (ep2): Bind for 0.0.0.0:18080 failed: port is already allocated", e.Message);
        Assert.Single(binder.Bound); // 18081 was released again
        Assert.Empty(publisher.HeldBy("c2"));
    }

    [Fact]
    public void PortHeldByAnotherProcess_IsABindFailure_RangesMoveOn()
    {
        var (publisher, _, binder) = Create();
        binder.Busy.Add(("0.0.0.0", "tcp", 18080));
        var e = Assert.Throws<DaemonException>(() => publisher.Publish(Target, [Req(80, "", 18080, 18080)]));
        Assert.Equal("driver failed programming external connectivity on endpoint web (ep1): failed to bind host port for 0.0.0.0:18080:172.18.0.2:80/tcp: address already in use", e.Message);

        binder.Busy.Add(("0.0.0.0", "tcp", 8000));
        var published = publisher.Publish(Target, [Req(80, "", 8000, 8002)]);
        Assert.Equal(8001, published[0].HostPort);
    }

    [Fact]
    public void FirewallFailure_ReleasesThePorts()
    {
        var (publisher, iptables, binder) = Create();
        iptables.Fail = true;
        var e = Assert.Throws<DaemonException>(() => publisher.Publish(Target, [Req(80, "", 18080, 18080)]));
        Assert.StartsWith("driver failed programming external connectivity on endpoint web (ep1): iptables-restore failed", e.Message);
        Assert.Empty(binder.Bound);
        iptables.Fail = false;
        Assert.Equal(18080, publisher.Publish(Target, [Req(80, "", 18080, 18080)])[0].HostPort);
    }

    [Fact]
    public void Ipv6HostAddresses_AreSkipped()
    {
        var (publisher, _, _) = Create();
        Assert.Empty(publisher.Publish(Target, [Req(80, "::", 18080, 18080)]));
    }

    [Fact]
    public void Restore_RetakesRecordedPorts_AndReprogramsRules()
    {
        var (publisher, iptables, binder) = Create();
        publisher.Restore(Target, [new PublishedPort("tcp", 80, "0.0.0.0", 32769)]);
        Assert.Contains(("0.0.0.0", "tcp", 32769), binder.Bound);
        Assert.Contains("--dport 32769 -j DNAT --to-destination 172.18.0.2:80", iptables.Restores[^1]);
        // The restored port is booked: another container cannot take it.
        Assert.Throws<DaemonException>(() => publisher.Publish(Target with { ContainerId = "c2" }, [Req(80, "", 32769, 32769)]));
    }
}
