using System.Net;
using System.Net.Http;

namespace Berth.IntegrationTests.Harness;

/// <summary>
/// A read-only HTTP proxy in front of a test registry (GET/HEAD), so tests can misbehave where a
/// real registry would not: serve a blob with one byte flipped (<see cref="TamperBlob"/>), or send
/// half a blob and then hang until released (<see cref="StallBlob"/>) to interrupt a pull midway.
/// </summary>
public sealed class RegistryProxy : IAsyncDisposable
{
    private readonly HttpListener _listener = new();
    private readonly HttpClient _upstream = new() { Timeout = TimeSpan.FromMinutes(2) };
    private readonly string _target;
    private readonly Task _loop;
    private readonly CancellationTokenSource _stop = new();

    public RegistryProxy(string upstreamHostPort)
    {
        _target = "http://" + upstreamHostPort;
        Port = FreePort.Next();
        _listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
        _listener.Start();
        _loop = Task.Run(LoopAsync);
    }

    public int Port { get; }

    public string Host => $"127.0.0.1:{Port}";

    /// <summary>Blob digest ("sha256:…") served with a byte changed in its middle.</summary>
    public string? TamperBlob { get; set; }

    /// <summary>Blob digest served only halfway until <see cref="Release"/> completes.</summary>
    public string? StallBlob { get; set; }

    /// <summary>Completed when a stalled blob has sent its first half.</summary>
    public TaskCompletionSource Stalled { get; private set; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public TaskCompletionSource Release { get; private set; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public void ResetStall()
    {
        Release.TrySetResult();
        Stalled = new(TaskCreationOptions.RunContinuationsAsynchronously);
        Release = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    private async Task LoopAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }
            _ = Task.Run(() => HandleAsync(context));
        }
    }

    private async Task HandleAsync(HttpListenerContext context)
    {
        var response = context.Response;
        try
        {
            var path = context.Request.RawUrl ?? "/";
            using var request = new HttpRequestMessage(new HttpMethod(context.Request.HttpMethod), _target + path);
            foreach (var name in new[] { "Accept", "Authorization" })
            {
                if (context.Request.Headers.GetValues(name) is { } values)
                {
                    request.Headers.TryAddWithoutValidation(name, values);
                }
            }
            using var upstream = await _upstream.SendAsync(request, _stop.Token);
            var body = await upstream.Content.ReadAsByteArrayAsync(_stop.Token);
            response.StatusCode = (int)upstream.StatusCode;
            foreach (var header in upstream.Headers.Concat(upstream.Content.Headers))
            {
                if (header.Key is "Content-Length" or "Transfer-Encoding" or "Connection")
                {
                    continue;
                }
                foreach (var value in header.Value)
                {
                    response.AddHeader(header.Key, value);
                }
            }
            bool isBlob = context.Request.HttpMethod == "GET" && path.Contains("/blobs/", StringComparison.Ordinal);
            if (isBlob && TamperBlob is { } tamper && path.EndsWith(tamper, StringComparison.Ordinal) && body.Length > 0)
            {
                body[body.Length / 2] ^= 0xff;
            }
            response.ContentLength64 = body.Length;
            if (context.Request.HttpMethod == "HEAD")
            {
                response.Close();
                return;
            }
            if (isBlob && StallBlob is { } stall && path.EndsWith(stall, StringComparison.Ordinal))
            {
                int half = body.Length / 2;
                await response.OutputStream.WriteAsync(body.AsMemory(0, half), _stop.Token);
                await response.OutputStream.FlushAsync(_stop.Token);
                Stalled.TrySetResult();
                await Release.Task.WaitAsync(_stop.Token);
                await response.OutputStream.WriteAsync(body.AsMemory(half), _stop.Token);
            }
            else
            {
                await response.OutputStream.WriteAsync(body, _stop.Token);
            }
            response.Close();
        }
        catch (Exception e) when (e is IOException or HttpListenerException or HttpRequestException or OperationCanceledException or InvalidOperationException or ObjectDisposedException)
        {
            try
            {
                response.Abort();
            }
            catch (ObjectDisposedException)
            {
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        Release.TrySetResult();
        _listener.Stop();
        _listener.Close();
        await _loop;
        _upstream.Dispose();
        _stop.Dispose();
    }
}
