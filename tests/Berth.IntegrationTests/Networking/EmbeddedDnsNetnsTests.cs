using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Berth.IntegrationTests.Harness;
using Berth.Linux.Netns;
using Berth.Networking.Dns;
using Microsoft.Extensions.Logging;

namespace Berth.IntegrationTests.Networking;

/// <summary>
/// The embedded DNS server in a real network namespace (ip netns add btdns&lt;random&gt;), without a
/// daemon: sockets created inside it by a setns thread, served on the thread pool, queried by
/// busybox nslookup (UDP) and by a TCP client socket opened in the namespace; forwarding goes to a
/// fake upstream on the host's loopback. Nothing leaves the machine.
/// </summary>
public sealed class EmbeddedDnsNetnsTests : IAsyncLifetime
{
    private readonly string _ns = "btdns" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4))[..7];
    private readonly ITestOutputHelper _output;
    private readonly DnsRecords _records = new();

    public EmbeddedDnsNetnsTests(ITestOutputHelper output)
    {
        _output = output;
    }

    private string NsPath => "/run/netns/" + _ns;

    public async Task InitializeAsync() => (await ProcessRunner.RunAsync("ip", ["netns", "add", _ns])).EnsureSuccess();

    public async Task DisposeAsync()
    {
        await ProcessRunner.RunAsync("ip", ["netns", "del", _ns]);
    }

    [Fact]
    public async Task Names_ResolveOverUdpAndTcp_UnknownNamesAreForwarded()
    {
        await using var dns = new EmbeddedDns(new DnsForwarder(TimeSpan.FromSeconds(2)), new OutputLogger(_output));
        _records.Add("n1", "appnet", new DnsEndpoint("c-web", ["web", "frontend"], 0xAC120002));
        _records.Add("n1", "appnet", new DnsEndpoint("c-db", ["db"], 0xAC120003));
        _records.Add("n2", "othernet", new DnsEndpoint("c-x", ["x"], 0xAC130002));
        using var upstream = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        upstream.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var upstreamTask = FakeUpstreamAsync(upstream);

        // lo is still down, as in a fresh namespace: the server brings it up before binding.
        await dns.StartAsync(NsPath, new DnsServerContext("c-web", () => _records.ViewFor("c-web"),
            [(IPEndPoint)upstream.LocalEndPoint!], new DnsPolicy(NdotsSet: false, CanForward: true)));

        var web = await NslookupAsync("web");
        Assert.True(web.Succeeded, web.ToString());
        Assert.Contains("172.18.0.2", web.Stdout);
        Assert.Contains("172.18.0.3", (await NslookupAsync("db.appnet")).Stdout);
        var missing = await NslookupAsync("x");
        _output.WriteLine(missing.ToString());
        Assert.DoesNotContain("172.19.0.2", missing.Stdout); // another network's container

        var forwarded = await NslookupAsync("example.test");
        Assert.Contains("192.0.2.7", forwarded.Stdout);

        byte[] answer = await NetworkNamespaces.RunInAsync(NsPath, () => QueryTcp(DnsResponse.BuildQuery(0x4242, "frontend", DnsCodes.TypeA)));
        Assert.Equal(0x4242, BinaryPrimitives.ReadUInt16BigEndian(answer));
        Assert.Equal(1, BinaryPrimitives.ReadUInt16BigEndian(answer.AsSpan(6)));
        Assert.Equal(0xAC120002u, BinaryPrimitives.ReadUInt32BigEndian(answer.AsSpan(answer.Length - 4)));

        await dns.StopAsync("c-web");
        Assert.False(dns.IsServing("c-web"));
        var after = await NslookupAsync("web");
        Assert.False(after.Succeeded && after.Stdout.Contains("172.18.0.2", StringComparison.Ordinal), after.ToString());
        upstream.Dispose();
        await Task.WhenAny(upstreamTask, Task.Delay(TimeSpan.FromSeconds(5)));
    }

    private Task<ProcessResult> NslookupAsync(string name) =>
        ProcessRunner.RunAsync("ip", ["netns", "exec", _ns, "/bin/busybox", "nslookup", "-type=a", name, "127.0.0.11"], timeout: TimeSpan.FromSeconds(20));

    /// <summary>Runs inside the namespace: one framed query over TCP to 127.0.0.11:53.</summary>
    private static byte[] QueryTcp(byte[] query)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.ReceiveTimeout = 5000;
        socket.Connect(new IPEndPoint(EmbeddedDns.Address, EmbeddedDns.Port));
        var framed = new byte[query.Length + 2];
        BinaryPrimitives.WriteUInt16BigEndian(framed, (ushort)query.Length);
        query.CopyTo(framed, 2);
        socket.Send(framed);
        var prefix = new byte[2];
        socket.Receive(prefix, 2, SocketFlags.None);
        var answer = new byte[BinaryPrimitives.ReadUInt16BigEndian(prefix)];
        int read = 0;
        while (read < answer.Length)
        {
            read += socket.Receive(answer, read, answer.Length - read, SocketFlags.None);
        }
        return answer;
    }

    /// <summary>Answers every A query with 192.0.2.7 (TEST-NET-1), like a recursive server would.</summary>
    private static async Task FakeUpstreamAsync(Socket socket)
    {
        var buffer = new byte[1500];
        var reply = new byte[1500];
        var peer = new SocketAddress(AddressFamily.InterNetwork);
        try
        {
            while (true)
            {
                int n = await socket.ReceiveFromAsync(buffer, SocketFlags.None, peer);
                if (DnsQuery.TryParse(buffer.AsSpan(0, n), out var q) != DnsQuery.ParseResult.Ok)
                {
                    continue;
                }
                uint[] addresses = q.Type == DnsCodes.TypeA ? [0xC0000207] : [];
                int length = DnsResponse.Write(reply, buffer.AsSpan(0, n), q, DnsCodes.NoError, addresses, 512);
                await socket.SendToAsync(reply.AsMemory(0, length), SocketFlags.None, peer);
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
        }
    }
}

/// <summary>Log lines of the component under test go to the test's output.</summary>
internal sealed class OutputLogger(ITestOutputHelper output) : ILogger
{
    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        try
        {
            output.WriteLine($"{logLevel}: {formatter(state, exception)}{(exception is null ? "" : " " + exception)}");
        }
        catch (InvalidOperationException)
        {
            // the test already finished
        }
    }
}
