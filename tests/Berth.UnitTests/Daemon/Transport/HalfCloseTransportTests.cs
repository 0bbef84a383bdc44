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

/// <summary>
/// The hijack trap (docs: http-hijack): a client that half-closes after sending its input must
/// still receive what the server writes afterwards. Kestrel's own socket transport drops it.
/// </summary>
public sealed class HalfCloseTransportTests : IAsyncLifetime
{
    private readonly string _dir = Directory.CreateTempSubdirectory("berth-ut-hc-").FullName;
    private WebApplication? _app;

    private string SocketPath => Path.Combine(_dir, "s.sock");

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.Services.AddSingleton<IConnectionListenerFactory, HalfCloseTransportFactory>();
        builder.Services.AddRoutingCore();
        builder.WebHost.UseKestrelCore().ConfigureKestrel(k => k.ListenUnixSocket(SocketPath));
        _app = builder.Build();
        _app.UseRouting();
        _app.MapPost("/echo-after-fin", EchoAfterFinAsync);
        _app.MapGet("/plain", context => context.Response.WriteAsync("plain"));
        _app.MapPost("/hash", HashBodyAsync);
        _app.MapGet("/bulk", WriteBulkAsync);
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

    /// <summary>Upgrades, reads until the client's FIN, then answers with what it read.</summary>
    private static async Task EchoAfterFinAsync(HttpContext context)
    {
        var upgrade = context.Features.Get<IHttpUpgradeFeature>()!;
        context.Response.Headers.Connection = "Upgrade";
        context.Response.Headers.Upgrade = "tcp";
        await using var stream = await upgrade.UpgradeAsync();
        using var received = new MemoryStream();
        await stream.CopyToAsync(received);
        await Task.Delay(5); // let the FIN fully land before answering, as a slow container would
        await stream.WriteAsync(Encoding.ASCII.GetBytes("got:" + Encoding.ASCII.GetString(received.ToArray()) + "\n"));
        await stream.FlushAsync();
    }

    [Fact]
    public async Task OutputWrittenAfterTheClientHalfClosesArrives()
    {
        for (int i = 0; i < 200; i++)
        {
            string reply = await HijackAsync($"data{i}");
            Assert.EndsWith($"got:data{i}\n", reply, StringComparison.Ordinal);
            Assert.StartsWith("HTTP/1.1 101", reply, StringComparison.Ordinal);
        }
    }

    private static async Task HashBodyAsync(HttpContext context)
    {
        context.Features.Get<IHttpMaxRequestBodySizeFeature>()!.MaxRequestBodySize = null;
        using var sha = System.Security.Cryptography.IncrementalHash.CreateHash(System.Security.Cryptography.HashAlgorithmName.SHA256);
        var buffer = new byte[100_000];
        int n;
        while ((n = await context.Request.Body.ReadAsync(buffer)) > 0)
        {
            sha.AppendData(buffer, 0, n);
        }
        await context.Response.WriteAsync(Convert.ToHexStringLower(sha.GetHashAndReset()));
    }

    /// <summary>Writes of assorted sizes, so the transport's output pipe holds many segments to gather.</summary>
    private static async Task WriteBulkAsync(HttpContext context)
    {
        byte[] data = BulkData();
        int offset = 0;
        for (int i = 0; offset < data.Length; i++)
        {
            int size = Math.Min(data.Length - offset, (i % 7 + 1) * 37_001);
            await context.Response.Body.WriteAsync(data.AsMemory(offset, size));
            offset += size;
        }
    }

    private static byte[] BulkData()
    {
        var data = new byte[24 << 20];
        new Random(8).NextBytes(data);
        return data;
    }

    [Fact]
    public async Task LargeBodiesCrossTheTransportIntact()
    {
        using var client = Client();
        byte[] data = BulkData();
        using var response = await client.PostAsync(new Uri("http://berth/hash"), new ByteArrayContent(data));
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(data)), await response.Content.ReadAsStringAsync());
        Assert.Equal(data, await client.GetByteArrayAsync(new Uri("http://berth/bulk")));
    }

    private HttpClient Client() => new(new SocketsHttpHandler
    {
        ConnectCallback = async (_, ct) =>
        {
            var s = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            await s.ConnectAsync(new UnixDomainSocketEndPoint(SocketPath), ct);
            return new NetworkStream(s, ownsSocket: true);
        },
    });

    [Fact]
    public async Task OrdinaryKeepAliveRequestsStillWork()
    {
        using var client = Client();
        for (int i = 0; i < 50; i++)
        {
            Assert.Equal("plain", await client.GetStringAsync(new Uri("http://berth/plain")));
        }
    }

    private async Task<string> HijackAsync(string input)
    {
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await socket.ConnectAsync(new UnixDomainSocketEndPoint(SocketPath));
        string request = "POST /echo-after-fin HTTP/1.1\r\nHost: berth\r\nConnection: Upgrade\r\nUpgrade: tcp\r\nContent-Length: 0\r\n\r\n";
        await socket.SendAsync(Encoding.ASCII.GetBytes(request + input), SocketFlags.None);
        socket.Shutdown(SocketShutdown.Send);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var all = new MemoryStream();
        var buffer = new byte[4096];
        int n;
        while ((n = await socket.ReceiveAsync(buffer, SocketFlags.None, cts.Token)) > 0)
        {
            all.Write(buffer, 0, n);
        }
        return Encoding.ASCII.GetString(all.ToArray());
    }
}
