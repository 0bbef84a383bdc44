using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace Berth.IntegrationTests.Harness;

/// <summary>One HTTP response, fully read, with response and content headers merged.</summary>
public sealed record RawResponse(HttpStatusCode Status, IReadOnlyDictionary<string, string> Headers, string Body)
{
    public int StatusCode => (int)Status;

    /// <summary>The header's value (multiple values joined with ", "), or null.</summary>
    public string? Header(string name) => Headers.TryGetValue(name, out var v) ? v : null;

    public JsonElement Json() => JsonDocument.Parse(Body).RootElement.Clone();

    /// <summary>The "message" of a dockerd error body.</summary>
    public string? Message => Json().TryGetProperty("message", out var m) ? m.GetString() : null;

    public override string ToString() =>
        $"HTTP {StatusCode} {Status}\n{string.Join('\n', Headers.Select(h => $"{h.Key}: {h.Value}"))}\n\n{Body}";
}

/// <summary>
/// HTTP/1.1 straight to the daemon's unix socket, for status, header and body assertions that a
/// client library would hide. <see cref="SendAsync"/> uses HttpClient (SocketsHttpHandler with a
/// ConnectCallback); <see cref="SendRawAsync"/> writes the request bytes exactly as given.
/// </summary>
public sealed class RawHttp : IDisposable
{
    private readonly HttpClient _client;

    public RawHttp(string socketPath, TimeSpan? timeout = null)
    {
        SocketPath = socketPath;
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (_, ct) =>
            {
                var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                try
                {
                    await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), ct);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
            PooledConnectionLifetime = TimeSpan.FromSeconds(30),
            AllowAutoRedirect = false,
            UseCookies = false,
            AutomaticDecompression = DecompressionMethods.None,
        };
        _client = new HttpClient(handler)
        {
            BaseAddress = new Uri("http://localhost"),
            Timeout = timeout ?? TimeSpan.FromSeconds(30),
            DefaultRequestVersion = HttpVersion.Version11,
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
    }

    public string SocketPath { get; }

    /// <summary>The underlying client (base address http://localhost) for streaming cases.</summary>
    public HttpClient Client => _client;

    public Task<RawResponse> GetAsync(string path, CancellationToken ct = default) => SendAsync(HttpMethod.Get, path, ct: ct);

    public Task<RawResponse> HeadAsync(string path, CancellationToken ct = default) => SendAsync(HttpMethod.Head, path, ct: ct);

    public Task<RawResponse> PostJsonAsync(string path, string json, CancellationToken ct = default) =>
        SendAsync(HttpMethod.Post, path, new StringContent(json, Encoding.UTF8, "application/json"), ct: ct);

    public async Task<RawResponse> SendAsync(
        HttpMethod method,
        string path,
        HttpContent? content = null,
        IReadOnlyDictionary<string, string>? headers = null,
        CancellationToken ct = default)
    {
        using var request = new HttpRequestMessage(method, path) { Content = content };
        foreach (var (name, value) in headers ?? new Dictionary<string, string>())
        {
            if (!request.Headers.TryAddWithoutValidation(name, value))
            {
                request.Content ??= new ByteArrayContent([]);
                request.Content.Headers.TryAddWithoutValidation(name, value);
            }
        }
        using var response = await _client.SendAsync(request, HttpCompletionOption.ResponseContentRead, ct);
        var all = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        // NonValidated: the values exactly as sent (parsed headers such as Cache-Control get reordered).
        foreach (var h in response.Headers.NonValidated.Concat(response.Content.Headers.NonValidated))
        {
            all[h.Key] = string.Join(", ", h.Value);
        }
        string body = await response.Content.ReadAsStringAsync(ct);
        return new RawResponse(response.StatusCode, all, body);
    }

    /// <summary>
    /// Writes <paramref name="request"/> byte for byte (use "\r\n" and "Connection: close") and
    /// returns everything the daemon sends until it closes the connection or the timeout passes.
    /// </summary>
    public async Task<string> SendRawAsync(string request, TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(10));
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await socket.ConnectAsync(new UnixDomainSocketEndPoint(SocketPath), cts.Token);
        await using var stream = new NetworkStream(socket, ownsSocket: false);
        await stream.WriteAsync(Encoding.ASCII.GetBytes(request), cts.Token);
        await stream.FlushAsync(cts.Token);
        var buffer = new MemoryStream();
        var chunk = new byte[8192];
        try
        {
            int n;
            while ((n = await stream.ReadAsync(chunk, cts.Token)) > 0)
            {
                buffer.Write(chunk, 0, n);
            }
        }
        catch (OperationCanceledException)
        {
            // Return what arrived; the caller asserts on it.
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    public void Dispose() => _client.Dispose();
}
