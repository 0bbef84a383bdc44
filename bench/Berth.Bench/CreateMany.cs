using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Berth.Bench;

/// <summary>
/// create: --count containers named PREFIX-0 … PREFIX-(N-1), created (never started) through the
/// Engine API, --parallel requests at a time. Fills an engine for list-style scenarios (ps -a)
/// without paying a CLI process per container. Prints containers per second. Any failed create
/// fails the command.
/// </summary>
internal static class CreateMany
{
    public static async Task<int> RunAsync(Options o)
    {
        string socketPath = o.Required("socket");
        string image = o.Required("image");
        string prefix = o.Optional("name-prefix") ?? "bench";
        int count = (int)o.Number("count", 200);
        int parallel = (int)o.Number("parallel", 4);
        using var http = Churn.UnixClient(socketPath);
        string body = JsonSerializer.Serialize(new CreateBody(image, ["true"], new HostConfigBody("none")), ChurnJson.Default.CreateBody);

        int next = -1;
        var clock = Stopwatch.StartNew();
        var workers = Enumerable.Range(0, parallel).Select(_ => Task.Run(async () =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < count)
            {
                string name = prefix + "-" + i.ToString(CultureInfo.InvariantCulture);
                using var create = await http.PostAsync("/containers/create?name=" + Uri.EscapeDataString(name),
                    new StringContent(body, Encoding.UTF8, "application/json")).ConfigureAwait(false);
                if (!create.IsSuccessStatusCode)
                {
                    string text = await create.Content.ReadAsStringAsync().ConfigureAwait(false);
                    throw new InvalidOperationException($"create {name}: {(int)create.StatusCode} {text}");
                }
            }
        }));
        await Task.WhenAll(workers).ConfigureAwait(false);
        double seconds = clock.Elapsed.TotalSeconds;
        Console.WriteLine(FormattableString.Invariant($"per_s={count / seconds:F2}"));
        Console.WriteLine(FormattableString.Invariant($"total_s={seconds:F3}"));
        return 0;
    }
}
