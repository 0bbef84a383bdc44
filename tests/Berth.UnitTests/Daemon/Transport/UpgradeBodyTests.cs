using System.Buffers;
using System.Net.Sockets;
using System.Text;
using Berth.Daemon.Transport;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;

namespace Berth.UnitTests.Daemon.Transport;

/// <summary>The rewriter on its own: bytes in, bytes out.</summary>
public sealed class UpgradeBodyRewriterTests
{
    private static string Run(params string[] chunks)
    {
        var rewriter = new UpgradeBodyRewriter();
        var output = new ArrayBufferWriter<byte>();
        byte[] pending = [];
        foreach (string chunk in chunks)
        {
            byte[] input = [.. pending, .. Encoding.Latin1.GetBytes(chunk)];
            long consumed = rewriter.Process(new ReadOnlySequence<byte>(input), output);
            pending = input[(int)consumed..];
        }
        UpgradeBodyRewriter.Flush(new ReadOnlySequence<byte>(pending), output);
        return Encoding.Latin1.GetString(output.WrittenSpan);
    }

    [Fact]
    public void UpgradeWithBody_MovesTheBodyIntoTheHeader_AndPassesTheRestRaw()
    {
        const string body = """{"Detach":false,"Tty":false}""";
        string request = "POST /v1.44/exec/abc/start HTTP/1.1\r\nHost: api\r\nContent-Length: " + body.Length +
            "\r\nContent-Type: application/json\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n" + body + "stdin bytes";
        string expected = "POST /v1.44/exec/abc/start HTTP/1.1\r\nHost: api\r\nContent-Type: application/json\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n" +
            "Berth-Upgrade-Body: " + Convert.ToBase64String(Encoding.ASCII.GetBytes(body)) + "\r\n\r\nstdin bytes";
        Assert.Equal(expected, Run(request));
        // Split at every byte: incomplete heads and bodies wait for more.
        Assert.Equal(expected, Run([.. request.Select(c => c.ToString())]));
    }

    [Fact]
    public void OtherRequests_PassUnchanged_AcrossKeepAlive()
    {
        string requests =
            "POST /a HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello" +
            "POST /b HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3;x=y\r\nabc\r\n0\r\nTrailer: 1\r\n\r\n" +
            "GET /c HTTP/1.1\r\n\r\n" +
            // A body that looks like a head must not be taken for one.
            "POST /d HTTP/1.1\r\nContent-Length: 40\r\n\r\nGET /x HTTP/1.1\r\nConnection: Upgrade\r\n\r\n";
        Assert.Equal(requests, Run(requests));
        Assert.Equal(requests, Run([.. requests.Chunk(7).Select(c => new string(c))]));
        // After the keep-alive requests, an upgrade with a body on the same connection is still rewritten.
        string upgrade = "POST /e HTTP/1.1\r\nConnection: Upgrade\r\nContent-Length: 2\r\n\r\n{}";
        Assert.EndsWith("Berth-Upgrade-Body: e30=\r\n\r\n", Run(requests + upgrade), StringComparison.Ordinal);
    }

    [Fact]
    public void UpgradeWithoutBody_AndOversizedBody_PassUnchanged()
    {
        string plain = "POST /containers/x/attach HTTP/1.1\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\nraw";
        Assert.Equal(plain, Run(plain));
        string big = new('x', UpgradeBodyRewriter.MaxBody + 1);
        string oversized = $"POST /e HTTP/1.1\r\nConnection: Upgrade\r\nContent-Length: {big.Length}\r\n\r\n{big}";
        Assert.Equal(oversized, Run(oversized));
    }
}

/// <summary>Kestrel with the middleware: an upgrade request with a JSON body gets its 101 and its body.</summary>
public sealed class UpgradeBodyMiddlewareTests : IAsyncLifetime
{
    private readonly string _dir = Directory.CreateTempSubdirectory("berth-ut-ub-").FullName;
    private WebApplication? _app;

    private string SocketPath => Path.Combine(_dir, "s.sock");

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.Services.AddSingleton<IConnectionListenerFactory, HalfCloseTransportFactory>();
        builder.Services.AddRoutingCore();
        builder.WebHost.UseKestrelCore().ConfigureKestrel(k => k.ListenUnixSocket(SocketPath, l => l.UseUpgradeBodies()));
        _app = builder.Build();
        _app.UseRouting();
        _app.MapPost("/start", StartAsync);
        _app.MapPost("/plain", async context =>
        {
            using var reader = new StreamReader(context.Request.Body);
            await context.Response.WriteAsync("plain:" + await reader.ReadToEndAsync());
        });
        await _app.StartAsync();
    }

    public async Task DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
        Directory.Delete(_dir, recursive: true);
    }

    /// <summary>Upgrades, writes the body it got through the header, echoes the raw input after the client's FIN.</summary>
    private static async Task StartAsync(HttpContext context)
    {
        var upgrade = context.Features.Get<IHttpUpgradeFeature>()!;
        string body = Encoding.UTF8.GetString(Convert.FromBase64String(context.Request.Headers[UpgradeBodyRewriter.BodyHeader].ToString()));
        context.Response.Headers.Connection = "Upgrade";
        context.Response.Headers.Upgrade = "tcp";
        await using var stream = await upgrade.UpgradeAsync();
        using var received = new MemoryStream();
        await stream.CopyToAsync(received);
        await stream.WriteAsync(Encoding.ASCII.GetBytes($"body:{body} raw:{Encoding.ASCII.GetString(received.ToArray())}\n"));
        await stream.FlushAsync();
    }

    [Fact]
    public async Task UpgradeWithBody_Upgrades_AndKeepsHalfClose()
    {
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await socket.ConnectAsync(new UnixDomainSocketEndPoint(SocketPath));
        // A keep-alive request first, on the same connection.
        await socket.SendAsync(Encoding.ASCII.GetBytes("POST /plain HTTP/1.1\r\nHost: b\r\nContent-Length: 2\r\n\r\nok"), SocketFlags.None);
        // the reply is chunked: read up to its last chunk, or a late "0\r\n\r\n" would open the next reply
        string first = await ReceiveUntilAsync(socket, "plain:ok\r\n0\r\n\r\n");
        Assert.StartsWith("HTTP/1.1 200", first, StringComparison.Ordinal);
        const string json = """{"Detach":false}""";
        await socket.SendAsync(Encoding.ASCII.GetBytes(
            $"POST /start HTTP/1.1\r\nHost: b\r\nContent-Type: application/json\r\nContent-Length: {json.Length}\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n{json}stdin"),
            SocketFlags.None);
        socket.Shutdown(SocketShutdown.Send);
        string reply = await ReceiveUntilAsync(socket, null);
        Assert.StartsWith("HTTP/1.1 101", reply, StringComparison.Ordinal);
        Assert.EndsWith("body:" + json + " raw:stdin\n", reply, StringComparison.Ordinal);
    }

    private static async Task<string> ReceiveUntilAsync(Socket socket, string? marker)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var all = new MemoryStream();
        var buffer = new byte[4096];
        while (true)
        {
            int n = await socket.ReceiveAsync(buffer, SocketFlags.None, cts.Token);
            if (n == 0)
            {
                break;
            }
            all.Write(buffer, 0, n);
            if (marker is not null && Encoding.ASCII.GetString(all.ToArray()).Contains(marker, StringComparison.Ordinal))
            {
                break;
            }
        }
        return Encoding.ASCII.GetString(all.ToArray());
    }
}
