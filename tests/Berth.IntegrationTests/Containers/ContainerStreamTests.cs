using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using Berth.IntegrationTests.Harness;

namespace Berth.IntegrationTests.Containers;

/// <summary>Attach beyond the CLI's use: websocket attach, logs replay, and a client that stops reading.</summary>
public sealed class ContainerStreamTests : CliTestBase<BerthDaemon>, IClassFixture<BerthDaemon>, IAsyncLifetime
{
    public ContainerStreamTests(BerthDaemon daemon, ITestOutputHelper output)
        : base(daemon, output)
    {
    }

    public Task InitializeAsync() => ContainerTestSupport.EnsureBusyboxAsync(Docker);

    public Task DisposeAsync() => ContainerTestSupport.RemoveAllAndCheckCleanAsync(Daemon, Docker);

    [Fact]
    public async Task WebSocketAttach_ReplaysTheLog_EchoesStdin()
    {
        await Docker.RunOkAsync("run", "-d", "-i", "--name", "wscat", "busybox", "sh", "-c", "echo ready; exec cat");
        await Poll.UntilAsync(async () => (await Docker.RunOkAsync("logs", "wscat")) == "ready\n", TimeSpan.FromSeconds(20), "ready logged");
        using var invoker = new HttpMessageInvoker(UnixSockets.Handler(Daemon.SocketPath));
        using var ws = new ClientWebSocket();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await ws.ConnectAsync(new Uri("ws://localhost/v1.44/containers/wscat/attach/ws?logs=1&stream=1&stdin=1&stdout=1&stderr=1"), invoker, cts.Token);
        Assert.Equal("ready\n", await ReceiveAsync(ws, "ready\n".Length, cts.Token));
        await ws.SendAsync("hello ws\n"u8.ToArray(), WebSocketMessageType.Binary, true, cts.Token);
        Assert.Equal("hello ws\n", await ReceiveAsync(ws, "hello ws\n".Length, cts.Token));
        await ws.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "", cts.Token);
        // The websocket leaving does not end a container without StdinOnce.
        Assert.Equal("running", (await Docker.RunOkAsync("inspect", "-f", "{{.State.Status}}", "wscat")).Trim());
    }

    [Fact]
    public async Task WebSocket_WithoutUpgrade_Is400_UnknownContainer404()
    {
        await Docker.RunOkAsync("create", "--name", "wsplain", "busybox", "true");
        using var http = Daemon.Http();
        Assert.Equal(400, (await http.GetAsync("/v1.44/containers/wsplain/attach/ws?stream=1")).StatusCode);
        Assert.Equal(404, (await http.GetAsync("/v1.44/containers/nope/attach/ws?stream=1")).StatusCode);
    }

    [Fact]
    public async Task AttachLogsReplay_ThenLive_Multiplexed()
    {
        await Docker.RunOkAsync("run", "--name", "replayed", "busybox", "sh", "-c", "echo before; echo oops >&2");
        await using NetworkStream conn = await UnixSockets.ConnectAsync(Daemon.SocketPath);
        await conn.WriteAsync(Encoding.ASCII.GetBytes(
            "POST /v1.44/containers/replayed/attach?logs=1&stdout=1&stderr=1 HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n"));
        string head = await ReadHeadAsync(conn);
        Assert.StartsWith("HTTP/1.1 101", head, StringComparison.Ordinal);
        Assert.Equal("before\noops\n", await new StdcopyReader(conn).ReadToEndAsync().WaitAsync(TimeSpan.FromSeconds(20)));
    }

    /// <summary>
    /// conmon writes to attach clients with blocking writes: a client that never reads must be
    /// dropped by the daemon, or the container would block on its stdout. 30 MB through a
    /// connection nobody reads: the container still finishes, and its log holds every byte.
    /// </summary>
    [Fact]
    public async Task StalledAttachClient_DoesNotStallTheContainer()
    {
        const int Bytes = 30_000_000;
        await Docker.RunOkAsync("create", "--name", "firehose", "busybox", "sh", "-c", $"yes 0123456789abcdef | head -c {Bytes}");
        await using NetworkStream conn = await UnixSockets.ConnectAsync(Daemon.SocketPath);
        await conn.WriteAsync(Encoding.ASCII.GetBytes(
            "POST /v1.44/containers/firehose/attach?stream=1&stdout=1&stderr=1 HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n"));
        Assert.StartsWith("HTTP/1.1 101", await ReadHeadAsync(conn), StringComparison.Ordinal);
        // Never read again. The attach was made before the start, so it is connected from the first byte.
        await Docker.RunOkAsync("start", "firehose");
        await Poll.UntilAsync(async () => (await Docker.RunOkAsync("inspect", "-f", "{{.State.Status}}", "firehose")).Trim() == "exited",
            TimeSpan.FromSeconds(90), "firehose exits although its attach client never reads");
        Assert.Equal("0", (await Docker.RunOkAsync("inspect", "-f", "{{.State.ExitCode}}", "firehose")).Trim());
        var count = await ProcessRunner.RunAsync("sh", ["-c", $"{DockerCli.DefaultPath} -H {Daemon.Host} logs firehose | wc -c"],
            environment: new Dictionary<string, string?> { ["DOCKER_CONFIG"] = Docker.ConfigDir });
        Assert.Equal(Bytes.ToString(System.Globalization.CultureInfo.InvariantCulture), count.EnsureSuccess().Stdout.Trim());
    }

    private static async Task<string> ReceiveAsync(ClientWebSocket ws, int length, CancellationToken ct)
    {
        var text = new StringBuilder();
        byte[] buffer = new byte[4096];
        while (text.Length < length)
        {
            WebSocketReceiveResult r = await ws.ReceiveAsync(buffer, ct);
            if (r.MessageType == WebSocketMessageType.Close)
            {
                break;
            }
            text.Append(Encoding.UTF8.GetString(buffer, 0, r.Count));
        }
        return text.ToString();
    }

    /// <summary>The response head, byte by byte so nothing of the stream after it is consumed.</summary>
    private static async Task<string> ReadHeadAsync(Stream conn)
    {
        var head = new StringBuilder();
        byte[] one = new byte[1];
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while (!head.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal))
        {
            if (await conn.ReadAsync(one, cts.Token) == 0)
            {
                break;
            }
            head.Append((char)one[0]);
        }
        return head.ToString();
    }
}
