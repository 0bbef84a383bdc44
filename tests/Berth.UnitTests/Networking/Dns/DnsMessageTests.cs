using System.Buffers.Binary;
using Berth.Networking.Dns;

namespace Berth.UnitTests.Networking.Dns;

/// <summary>Wire format: queries parsed, replies built byte for byte.</summary>
public sealed class DnsMessageTests
{
    [Fact]
    public void Query_ParsesIdFlagsNameTypeAndEdns()
    {
        byte[] packet = DnsResponse.BuildQuery(0x1234, "Web.Example", DnsCodes.TypeA, ednsSize: 1232);
        Assert.Equal(DnsQuery.ParseResult.Ok, DnsQuery.TryParse(packet, out var q));
        Assert.Equal(0x1234, q.Id);
        Assert.True(q.RecursionDesired);
        Assert.Equal("web.example", q.Name);
        Assert.Equal(DnsCodes.TypeA, q.Type);
        Assert.Equal(DnsCodes.ClassIn, q.Class);
        Assert.Equal(12 + 13 + 4, q.QuestionEnd);
        Assert.Equal(1232, q.EdnsUdpSize);
    }

    [Fact]
    public void Query_ShortOrResponseOrEmpty_IsIgnored_BadNameIsMalformed()
    {
        Assert.Equal(DnsQuery.ParseResult.Ignore, DnsQuery.TryParse(new byte[5], out _));
        byte[] response = DnsResponse.BuildQuery(1, "a", DnsCodes.TypeA);
        response[2] |= 0x80;
        Assert.Equal(DnsQuery.ParseResult.Ignore, DnsQuery.TryParse(response, out _));
        byte[] empty = DnsResponse.BuildQuery(1, "a", DnsCodes.TypeA);
        empty[5] = 0;
        Assert.Equal(DnsQuery.ParseResult.Ignore, DnsQuery.TryParse(empty, out _));
        byte[] pointer = DnsResponse.BuildQuery(1, "a", DnsCodes.TypeA);
        pointer[12] = 0xC0;
        Assert.Equal(DnsQuery.ParseResult.Malformed, DnsQuery.TryParse(pointer, out _));
        byte[] truncated = DnsResponse.BuildQuery(1, "abc", DnsCodes.TypeA)[..15];
        Assert.Equal(DnsQuery.ParseResult.Malformed, DnsQuery.TryParse(truncated, out _));
    }

    [Fact]
    public void Reply_EchoesQuestion_AndPointsAnswersAtIt()
    {
        byte[] query = DnsResponse.BuildQuery(0xBEEF, "Db", DnsCodes.TypeA);
        DnsQuery.TryParse(query, out var q);
        var reply = new byte[512];
        int n = DnsResponse.Write(reply, query, q, DnsCodes.NoError, [0xAC120002u], 512);
        byte[] expected =
        [
            0xBE, 0xEF, 0x81, 0x80, 0, 1, 0, 1, 0, 0, 0, 0, // id, QR|RD|RA, 1 question, 1 answer
            2, (byte)'D', (byte)'b', 0, 0, 1, 0, 1,          // the question as sent (case kept)
            0xC0, 12, 0, 1, 0, 1, 0, 0, 0x02, 0x58, 0, 4, 172, 18, 0, 2, // A, TTL 600
        ];
        Assert.Equal(expected, reply[..n]);
    }

    [Fact]
    public void Reply_TooManyAddressesForUdp_IsTruncatedWithTc()
    {
        byte[] query = DnsResponse.BuildQuery(1, "svc", DnsCodes.TypeA);
        DnsQuery.TryParse(query, out var q);
        uint[] many = [.. Enumerable.Range(1, 100).Select(i => 0x0A000000u + (uint)i)];
        var reply = new byte[4096];
        int n = DnsResponse.Write(reply, query, q, DnsCodes.NoError, many, 512);
        Assert.True(n <= 512);
        Assert.NotEqual(0, reply[2] & 0x02);
        int answers = BinaryPrimitives.ReadUInt16BigEndian(reply.AsSpan(6));
        Assert.Equal((512 - 12 - 9) / 16, answers);
    }
}
