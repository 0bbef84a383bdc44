using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace Berth.Bench;

/// <summary>
/// churn: --count containers, each created, started and force-removed (running) through the
/// Engine API, --parallel at a time; prints containers per second over the whole batch. Plain
/// HttpClient over the unix socket (no CLI process per call), so the figure is the daemon's.
/// </summary>
internal static class Churn
{
    public static async Task<int> RunAsync(Options o)
    {
        string socketPath = o.Required("socket");
        string image = o.Required("image");
        int count = (int)o.Number("count", 50);
        int parallel = (int)o.Number("parallel", 1);
        using var http = UnixClient(socketPath);
        string body = JsonSerializer.Serialize(new CreateBody(image, ["sleep", "600"], new HostConfigBody("none")), ChurnJson.Default.CreateBody);

        // One warm-up container: first-use costs (JIT of the daemon's paths, page cache) are not churn.
        await OneAsync(http, body, "warmup").ConfigureAwait(false);

        var latencies = new double[count];
        int next = -1;
        var clock = Stopwatch.StartNew();
        var workers = Enumerable.Range(0, parallel).Select(_ => Task.Run(async () =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < count)
            {
                long t0 = Stopwatch.GetTimestamp();
                await OneAsync(http, body, i.ToString(CultureInfo.InvariantCulture)).ConfigureAwait(false);
                latencies[i] = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
            }
        }));
        await Task.WhenAll(workers).ConfigureAwait(false);
        double seconds = clock.Elapsed.TotalSeconds;
        Array.Sort(latencies);
        Console.WriteLine(FormattableString.Invariant($"per_s={count / seconds:F2}"));
        Console.WriteLine(FormattableString.Invariant($"total_s={seconds:F3}"));
        Console.WriteLine(FormattableString.Invariant($"p50_ms={latencies[count / 2]:F1}"));
        return 0;
    }

    private static async Task OneAsync(HttpClient http, string body, string tag)
    {
        using var create = await http.PostAsync("/containers/create", new StringContent(body, Encoding.UTF8, "application/json")).ConfigureAwait(false);
        string created = await create.Content.ReadAsStringAsync().ConfigureAwait(false);
        if (!create.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"create {tag}: {(int)create.StatusCode} {created}");
        }
        string id = JsonDocument.Parse(created).RootElement.GetProperty("Id").GetString()!;
        using var start = await http.PostAsync($"/containers/{id}/start", null).ConfigureAwait(false);
        if (!start.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"start {tag}: {(int)start.StatusCode} {await start.Content.ReadAsStringAsync().ConfigureAwait(false)}");
        }
        using var rm = await http.DeleteAsync($"/containers/{id}?force=1").ConfigureAwait(false);
        if (!rm.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"rm {tag}: {(int)rm.StatusCode} {await rm.Content.ReadAsStringAsync().ConfigureAwait(false)}");
        }
    }

    public static HttpClient UnixClient(string socketPath)
    {
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (_, ct) =>
            {
                var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                try
                {
                    await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), ct).ConfigureAwait(false);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        return new HttpClient(handler) { BaseAddress = new Uri("http://localhost"), Timeout = TimeSpan.FromMinutes(2) };
    }
}

internal sealed record HostConfigBody(string NetworkMode);

internal sealed record CreateBody(string Image, string[] Cmd, HostConfigBody HostConfig);

[System.Text.Json.Serialization.JsonSerializable(typeof(CreateBody))]
internal sealed partial class ChurnJson : System.Text.Json.Serialization.JsonSerializerContext;
