using System.Buffers.Binary;
using System.Net;
using Berth.Engine.Containers;
using Berth.Networking.Dns;

namespace Berth.UnitTests.Networking.Dns;

/// <summary>What the embedded server answers, per dockerd's resolver rules.</summary>
public sealed class DnsResolutionTests
{
    private const uint Web = 0xAC120002; // 172.18.0.2
    private const uint Db = 0xAC120003;
    private const uint Replica = 0xAC120004;
    private const uint OtherNet = 0xAC130002;

    private static readonly DnsNetworkView AppNet = new("appnet",
    [
        new DnsEndpoint("c-web", ["web", "frontend", "0123456789ab"], Web),
        new DnsEndpoint("c-db", ["db", "store"], Db),
        new DnsEndpoint("c-db2", ["db2", "store"], Replica),
    ]);

    private static readonly DnsNetworkView Other = new("other", [new DnsEndpoint("c-x", ["x", "web"], OtherNet)]);

    private static readonly DnsPolicy Forwarding = new(NdotsSet: false, CanForward: true);

    private static (DnsDecision Decision, int Rcode, uint[] Answers) Ask(string name, ushort type, IReadOnlyList<DnsNetworkView> networks, DnsPolicy? policy = null)
    {
        byte[] query = DnsResponse.BuildQuery(7, name, type);
        var reply = new byte[1024];
        var decision = DnsQueryHandler.Handle(query, reply, networks, policy ?? Forwarding, tcp: false, out int n);
        if (decision != DnsDecision.Reply)
        {
            return (decision, -1, []);
        }
        int count = BinaryPrimitives.ReadUInt16BigEndian(reply.AsSpan(6));
        var answers = new List<uint>();
        int offset = query.Length;
        for (int i = 0; i < count && type == DnsCodes.TypeA; i++, offset += 16)
        {
            answers.Add(BinaryPrimitives.ReadUInt32BigEndian(reply.AsSpan(offset + 12)));
        }
        Assert.Equal(7, BinaryPrimitives.ReadUInt16BigEndian(reply));
        return (decision, reply[3] & 0xF, [.. answers.Order()]);
    }

    [Theory]
    [InlineData("web")]
    [InlineData("WEB")]
    [InlineData("web.")]
    [InlineData("frontend")]
    [InlineData("0123456789ab")]
    [InlineData("web.appnet")]
    public void ContainerNamesAliasesShortIdsAndNetworkSuffix_Resolve(string name)
    {
        var (decision, rcode, answers) = Ask(name, DnsCodes.TypeA, [AppNet]);
        Assert.Equal(DnsDecision.Reply, decision);
        Assert.Equal(DnsCodes.NoError, rcode);
        Assert.Equal([Web], answers);
    }

    [Fact]
    public void SharedAlias_AnswersEveryReplica() =>
        Assert.Equal([Db, Replica], Ask("store", DnsCodes.TypeA, [AppNet]).Answers);

    [Fact]
    public void FirstNetworkWithTheName_Wins_AndOtherNetworksAreInvisible()
    {
        Assert.Equal([Web], Ask("web", DnsCodes.TypeA, [AppNet, Other]).Answers);
        Assert.Equal([OtherNet], Ask("web", DnsCodes.TypeA, [Other, AppNet]).Answers);
        Assert.Equal(DnsDecision.Forward, Ask("db", DnsCodes.TypeA, [Other]).Decision);
        Assert.Equal(DnsDecision.Forward, Ask("web.appnet", DnsCodes.TypeA, [Other]).Decision);
    }

    [Fact]
    public void Aaaa_ForAKnownName_IsNoErrorWithoutData()
    {
        var (decision, rcode, answers) = Ask("web", DnsCodes.TypeAaaa, [AppNet]);
        Assert.Equal((DnsDecision.Reply, DnsCodes.NoError), (decision, rcode));
        Assert.Empty(answers);
    }

    [Fact]
    public void UnknownNames_AreForwarded_OrNxdomainWithNowhereToForward()
    {
        Assert.Equal(DnsDecision.Forward, Ask("example.com", DnsCodes.TypeA, [AppNet]).Decision);
        Assert.Equal(DnsDecision.Forward, Ask("example.com", DnsCodes.TypeAaaa, [AppNet]).Decision);
        Assert.Equal(DnsDecision.Forward, Ask("web", 16 /* TXT */, [AppNet]).Decision);
        var (decision, rcode, _) = Ask("nothere", DnsCodes.TypeA, [AppNet], new DnsPolicy(false, CanForward: false));
        Assert.Equal((DnsDecision.Reply, DnsCodes.NxDomain), (decision, rcode));
    }

    [Fact]
    public void ExplicitNdots_SingleLabelMiss_IsAnsweredEmptyNotForwarded()
    {
        var (decision, rcode, answers) = Ask("nothere", DnsCodes.TypeA, [AppNet], new DnsPolicy(NdotsSet: true, CanForward: true));
        Assert.Equal((DnsDecision.Reply, DnsCodes.NoError), (decision, rcode));
        Assert.Empty(answers);
        Assert.Equal(DnsDecision.Forward, Ask("a.example", DnsCodes.TypeA, [AppNet], new DnsPolicy(true, true)).Decision);
    }

    [Fact]
    public void Ptr_ForAKnownAddress_AnswersNameDotNetwork()
    {
        Assert.Equal("web.appnet", DnsQueryHandler.ReverseName("2.0.18.172.in-addr.arpa", [AppNet]));
        Assert.Null(DnsQueryHandler.ReverseName("9.0.18.172.in-addr.arpa", [AppNet]));
        byte[] query = DnsResponse.BuildQuery(9, "2.0.18.172.in-addr.arpa", DnsCodes.TypePtr);
        var reply = new byte[512];
        Assert.Equal(DnsDecision.Reply, DnsQueryHandler.Handle(query, reply, [AppNet], Forwarding, false, out int n));
        Assert.Equal(1, BinaryPrimitives.ReadUInt16BigEndian(reply.AsSpan(6)));
        Assert.EndsWith("\u0003web\u0006appnet\0", System.Text.Encoding.Latin1.GetString(reply, 0, n));
    }

    [Fact]
    public void NonQueryOpcode_IsNotImp_AndServFailKeepsTheId()
    {
        byte[] query = DnsResponse.BuildQuery(5, "web", DnsCodes.TypeA);
        query[2] |= 0x10; // opcode 2 (status)
        var reply = new byte[512];
        Assert.Equal(DnsDecision.Reply, DnsQueryHandler.Handle(query, reply, [AppNet], Forwarding, false, out _));
        Assert.Equal(DnsCodes.NotImp, reply[3] & 0xF);
        int n = DnsQueryHandler.ServerFailure(DnsResponse.BuildQuery(6, "x", DnsCodes.TypeA), reply);
        Assert.True(n > 12);
        Assert.Equal((6, DnsCodes.ServFail), (BinaryPrimitives.ReadUInt16BigEndian(reply), reply[3] & 0xF));
    }

    [Fact]
    public void Upstreams_ContainerThenDaemonThenHost_LoopbackKept()
    {
        Assert.Equal([new IPEndPoint(IPAddress.Parse("1.1.1.1"), 53)], DnsUpstreams.From(["1.1.1.1"], ["9.9.9.9"], "nameserver 8.8.8.8"));
        Assert.Equal([new IPEndPoint(IPAddress.Parse("9.9.9.9"), 53)], DnsUpstreams.From([], ["9.9.9.9"], "nameserver 8.8.8.8"));
        Assert.Equal([new IPEndPoint(IPAddress.Parse("127.0.0.53"), 53), new IPEndPoint(IPAddress.Parse("10.0.0.1"), 53)],
            DnsUpstreams.From([], [], "# x\nnameserver 127.0.0.53\nnameserver 10.0.0.1\nnameserver 127.0.0.11\nsearch lan\n"));
    }

    [Fact]
    public void ResolvConf_ForUserNetworks_PointsAtTheEmbeddedServer()
    {
        string text = EmbeddedDnsFiles.ResolvConfText("nameserver 10.0.0.1\nsearch corp.example\noptions edns0\n", [], [], ["10.0.0.1"]);
        Assert.Equal("nameserver 127.0.0.11\nsearch corp.example\noptions edns0 ndots:0\n\n# ExtServers: [10.0.0.1]\n", text);
        Assert.Contains("options ndots:2\n", EmbeddedDnsFiles.ResolvConfText("", [], ["ndots:2"], []));
        Assert.True(EmbeddedDnsFiles.UsesEmbeddedDns("mynet"));
        Assert.False(EmbeddedDnsFiles.UsesEmbeddedDns("bridge"));
        Assert.False(EmbeddedDnsFiles.UsesEmbeddedDns("default"));
        Assert.False(EmbeddedDnsFiles.UsesEmbeddedDns("host"));
        Assert.False(EmbeddedDnsFiles.UsesEmbeddedDns("container:abc"));
        // The default mode plus a user network in EndpointsConfig (API clients such as Testcontainers).
        Assert.True(EmbeddedDnsFiles.UsesEmbeddedDns("", ["bridge", "mynet"]));
        Assert.True(EmbeddedDnsFiles.UsesEmbeddedDns("default", ["mynet"]));
        Assert.False(EmbeddedDnsFiles.UsesEmbeddedDns("", ["bridge"]));
        Assert.False(EmbeddedDnsFiles.UsesEmbeddedDns("none", ["mynet"]));
    }
}
