using System.Buffers.Binary;

namespace Berth.Networking.Dns;

/// <summary>What to do with one incoming packet.</summary>
public enum DnsDecision
{
    /// <summary>Not a query we answer at all (a response, no question, garbage): stay silent, as dockerd does.</summary>
    Drop,
    /// <summary>The reply was written.</summary>
    Reply,
    /// <summary>Not a local name: relay the query to the external servers.</summary>
    Forward,
}

/// <summary>How one container's resolver behaves beyond its records.</summary>
/// <param name="NdotsSet">The user set ndots explicitly (--dns-opt ndots:N): single-label misses get an empty answer instead of being forwarded.</param>
/// <param name="CanForward">External servers exist and the container has a non-internal network.</param>
public sealed record DnsPolicy(bool NdotsSet, bool CanForward);

/// <summary>
/// The decision logic of libnetwork's Resolver.serveDNS for one query, over a snapshot of the
/// querier's networks: A from the records; AAAA and MX for a known name answer NOERROR with no
/// data (the networks are IPv4-only); PTR for a known address answers "name.network"; anything
/// else is forwarded, or NXDOMAIN when there is nowhere to forward it. Pure and allocation-light.
/// </summary>
public static class DnsQueryHandler
{
    public static DnsDecision Handle(ReadOnlySpan<byte> packet, Span<byte> reply, IReadOnlyList<DnsNetworkView> networks, DnsPolicy policy, bool tcp, out int length)
    {
        length = 0;
        switch (DnsQuery.TryParse(packet, out var q))
        {
            case DnsQuery.ParseResult.Ignore:
                return DnsDecision.Drop;
            case DnsQuery.ParseResult.Malformed:
                length = DnsResponse.Write(reply, packet, q, DnsCodes.FormErr, [], DnsCodes.UdpMinSize);
                return DnsDecision.Reply;
        }
        if (q.Opcode != 0)
        {
            length = DnsResponse.Write(reply, packet, q, DnsCodes.NotImp, [], DnsCodes.UdpMinSize);
            return DnsDecision.Reply;
        }
        int maxSize = tcp ? ushort.MaxValue : Math.Max(DnsCodes.UdpMinSize, q.EdnsUdpSize);
        if (q.Class == DnsCodes.ClassIn)
        {
            switch (q.Type)
            {
                case DnsCodes.TypeA:
                case DnsCodes.TypeAaaa:
                case DnsCodes.TypeMx:
                    var found = DnsLookup.Resolve(q.Name, networks);
                    if (found.Known)
                    {
                        // Known name: A gets its addresses; AAAA/MX NOERROR with no data ("exists, not this type").
                        Span<uint> addresses = q.Type == DnsCodes.TypeA ? found.Addresses : [];
                        DnsLookup.Shuffle(addresses);
                        length = DnsResponse.Write(reply, packet, q, DnsCodes.NoError, addresses, maxSize);
                        return DnsDecision.Reply;
                    }
                    if (q.Type != DnsCodes.TypeMx && policy.NdotsSet && !q.Name.Contains('.', StringComparison.Ordinal))
                    {
                        // The client will retry with its search domains; the bare name goes nowhere.
                        length = DnsResponse.Write(reply, packet, q, DnsCodes.NoError, [], maxSize);
                        return DnsDecision.Reply;
                    }
                    break;
                case DnsCodes.TypePtr:
                    if (ReverseName(q.Name, networks) is { } target)
                    {
                        length = DnsPtr.Write(reply, packet, q, target);
                        return DnsDecision.Reply;
                    }
                    break;
            }
        }
        if (policy.CanForward)
        {
            return DnsDecision.Forward;
        }
        length = DnsResponse.Write(reply, packet, q, DnsCodes.NxDomain, [], maxSize);
        return DnsDecision.Reply;
    }

    /// <summary>A SERVFAIL for a query whose forwarding failed (dockerd: no external server answered).</summary>
    public static int ServerFailure(ReadOnlySpan<byte> packet, Span<byte> reply)
    {
        var result = DnsQuery.TryParse(packet, out var q);
        return result == DnsQuery.ParseResult.Ignore ? 0 : DnsResponse.Write(reply, packet, q, DnsCodes.ServFail, [], DnsCodes.UdpMinSize);
    }

    /// <summary>"2.0.18.172.in-addr.arpa" → the endpoint with 172.18.0.2 on one of the querier's networks → "name.network".</summary>
    internal static string? ReverseName(string name, IReadOnlyList<DnsNetworkView> networks)
    {
        const string Suffix = ".in-addr.arpa";
        if (!name.EndsWith(Suffix, StringComparison.Ordinal))
        {
            return null;
        }
        string[] octets = name[..^Suffix.Length].Split('.');
        if (octets.Length != 4)
        {
            return null;
        }
        uint address = 0;
        for (int i = 3; i >= 0; i--)
        {
            if (!byte.TryParse(octets[i], out byte b))
            {
                return null;
            }
            address = (address << 8) | b;
        }
        foreach (var network in networks)
        {
            foreach (var endpoint in network.Endpoints)
            {
                if (endpoint.Address == address && endpoint.Names.Count > 0)
                {
                    return $"{endpoint.Names[0]}.{network.NetworkName}";
                }
            }
        }
        return null;
    }
}

/// <summary>PTR answers: one record whose data is an uncompressed name.</summary>
internal static class DnsPtr
{
    public static int Write(Span<byte> destination, ReadOnlySpan<byte> query, in DnsQuery q, string target)
    {
        int offset = DnsResponse.Write(destination, query, q, DnsCodes.NoError, [], ushort.MaxValue);
        BinaryPrimitives.WriteUInt16BigEndian(destination[6..], 1); // ANCOUNT
        var rr = destination[offset..];
        BinaryPrimitives.WriteUInt16BigEndian(rr, 0xC000 | DnsCodes.HeaderSize);
        BinaryPrimitives.WriteUInt16BigEndian(rr[2..], DnsCodes.TypePtr);
        BinaryPrimitives.WriteUInt16BigEndian(rr[4..], DnsCodes.ClassIn);
        BinaryPrimitives.WriteUInt32BigEndian(rr[6..], DnsCodes.AnswerTtl);
        int data = 12;
        foreach (string label in target.Split('.', StringSplitOptions.RemoveEmptyEntries))
        {
            int n = Math.Min(label.Length, 63);
            rr[data++] = (byte)n;
            for (int i = 0; i < n; i++)
            {
                rr[data++] = (byte)label[i];
            }
        }
        rr[data++] = 0;
        BinaryPrimitives.WriteUInt16BigEndian(rr[10..], (ushort)(data - 12));
        return offset + data;
    }
}
