using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;

namespace Berth.Bench;

internal static class Commands
{
    private static readonly byte[] Ping = UnixHttpConnection.BuildGet("/_ping");

    /// <summary>
    /// wait-ping: get ready (JIT the polling path), touch --ready-file, then poll the socket about
    /// once a millisecond until GET /_ping answers 200. Prints the wall-clock time of that answer as
    /// unix microseconds; the runner spawns the daemon after seeing the ready file and subtracts its
    /// own spawn timestamp. The runner, not this tool, is the daemon's parent, so it can reap it.
    /// </summary>
    public static int WaitPing(Options o)
    {
        string socketPath = o.Required("socket");
        string readyFile = o.Required("ready-file");
        var timeout = TimeSpan.FromSeconds(o.Number("timeout", 60));

        // Exercise the failure path once so the first real attempt is not a cold one.
        TryPing(Path.Combine(Path.GetTempPath(), $"berth-bench-nonexistent-{Environment.ProcessId}.sock"));
        _ = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        File.WriteAllText(readyFile, "ready\n");

        var sw = Stopwatch.StartNew();
        int attempts = 0;
        while (sw.Elapsed < timeout)
        {
            attempts++;
            if (TryPing(socketPath))
            {
                long us = (DateTime.UtcNow - DateTime.UnixEpoch).Ticks / 10;
                Console.WriteLine(FormattableString.Invariant($"first_ok_unix_us={us}"));
                Console.WriteLine(FormattableString.Invariant($"attempts={attempts}"));
                return 0;
            }
            Thread.Sleep(1);
        }
        Console.Error.WriteLine($"berth-bench: no 200 from {socketPath}/_ping within {timeout.TotalSeconds:0}s ({attempts} attempts)");
        return 1;
    }

    private static bool TryPing(string socketPath)
    {
        try
        {
            using var conn = UnixHttpConnection.Connect(socketPath);
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            return conn.SendAsync(Ping, cts.Token).AsTask().GetAwaiter().GetResult() == 200;
        }
        catch (Exception e) when (e is SocketException or IOException or OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>get: --count sequential GETs of each path on one keep-alive connection; all must be 200.</summary>
    public static async Task<int> GetAsync(Options o)
    {
        string socketPath = o.Required("socket");
        int count = (int)o.Number("count", 1);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var conn = await UnixHttpConnection.ConnectAsync(socketPath, cts.Token).ConfigureAwait(false);
        try
        {
            foreach (var path in o.Positional)
            {
                var request = UnixHttpConnection.BuildGet(path);
                for (int i = 0; i < count; i++)
                {
                    if (conn.Closed)
                    {
                        conn.Dispose();
                        conn = await UnixHttpConnection.ConnectAsync(socketPath, cts.Token).ConfigureAwait(false);
                    }
                    int status = await conn.SendAsync(request, cts.Token).ConfigureAwait(false);
                    if (status != 200)
                    {
                        await Console.Error.WriteLineAsync($"berth-bench: GET {path} -> {status}").ConfigureAwait(false);
                        return 1;
                    }
                }
            }
        }
        finally
        {
            conn.Dispose();
        }
        return 0;
    }

    /// <summary>
    /// load: --connections workers, each with its own keep-alive connection, each sending the next
    /// request as soon as the previous response is read, for --warmup then --duration seconds.
    /// Only requests started and finished inside the measured window count.
    /// </summary>
    public static async Task<int> LoadAsync(Options o)
    {
        string socketPath = o.Required("socket");
        string path = o.Required("path");
        int connections = (int)o.Number("connections", 8);
        var warmup = TimeSpan.FromSeconds(o.Number("warmup", 1));
        var duration = TimeSpan.FromSeconds(o.Number("duration", 5));
        var request = UnixHttpConnection.BuildGet(path);

        var clock = Stopwatch.StartNew();
        long measureFrom = (long)(warmup.TotalSeconds * Stopwatch.Frequency);
        long measureTo = measureFrom + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        using var hardStop = new CancellationTokenSource(warmup + duration + TimeSpan.FromSeconds(30));

        var workers = new Task<WorkerResult>[connections];
        for (int i = 0; i < connections; i++)
        {
            workers[i] = Task.Run(() => WorkerAsync(socketPath, request, clock, measureFrom, measureTo, hardStop.Token));
        }
        var results = await Task.WhenAll(workers).ConfigureAwait(false);

        var latencies = results.SelectMany(r => r.Latencies).ToArray();
        Array.Sort(latencies);
        long errors = results.Sum(r => r.Errors);
        long reconnects = results.Sum(r => r.Reconnects);
        double seconds = duration.TotalSeconds;
        double ToMs(long ticks) => ticks * 1000.0 / Stopwatch.Frequency;
        double Percentile(double p) => latencies.Length == 0 ? double.NaN : ToMs(latencies[Math.Min(latencies.Length - 1, (int)(p * latencies.Length))]);
        var ci = CultureInfo.InvariantCulture;
        Console.WriteLine(string.Create(ci, $"requests={latencies.Length}"));
        Console.WriteLine(string.Create(ci, $"errors={errors}"));
        Console.WriteLine(string.Create(ci, $"reconnects={reconnects}"));
        Console.WriteLine(string.Create(ci, $"rps={latencies.Length / seconds:0.0}"));
        Console.WriteLine(string.Create(ci, $"p50_ms={Percentile(0.50):0.000}"));
        Console.WriteLine(string.Create(ci, $"p99_ms={Percentile(0.99):0.000}"));
        return errors > 0 || latencies.Length == 0 ? 1 : 0;
    }

    private sealed record WorkerResult(List<long> Latencies, long Errors, long Reconnects);

    private static async Task<WorkerResult> WorkerAsync(string socketPath, byte[] request, Stopwatch clock, long measureFrom, long measureTo, CancellationToken ct)
    {
        var latencies = new List<long>(1 << 16);
        long errors = 0;
        long reconnects = 0;
        UnixHttpConnection? conn = null;
        try
        {
            while (!ct.IsCancellationRequested)
            {
                long start = clock.ElapsedTicks;
                if (start >= measureTo)
                {
                    break;
                }
                try
                {
                    if (conn is null || conn.Closed)
                    {
                        if (conn is not null)
                        {
                            reconnects++;
                            conn.Dispose();
                        }
                        conn = await UnixHttpConnection.ConnectAsync(socketPath, ct).ConfigureAwait(false);
                    }
                    int status = await conn.SendAsync(request, ct).ConfigureAwait(false);
                    long end = clock.ElapsedTicks;
                    if (status != 200)
                    {
                        errors++;
                    }
                    else if (start >= measureFrom && end <= measureTo)
                    {
                        latencies.Add(end - start);
                    }
                }
                catch (Exception e) when (e is SocketException or IOException)
                {
                    errors++;
                    conn?.Dispose();
                    conn = null;
                }
            }
        }
        catch (OperationCanceledException)
        {
            errors++;
        }
        finally
        {
            conn?.Dispose();
        }
        return new WorkerResult(latencies, errors, reconnects);
    }
}
