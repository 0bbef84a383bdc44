using System.Globalization;
using System.Text;
using Berth.Runtime.Monitor;

namespace Berth.UnitTests.Runtime.Monitor;

public sealed class LogReaderTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("berth-log-").FullName;

    private static string Line(int second, string stream, char tag, string content) =>
        string.Create(CultureInfo.InvariantCulture, $"2026-11-27T22:00:{second:00}.000000001+00:00 {stream} {tag} {content}\n");

    private string Sample() =>
        Line(1, "stdout", 'F', "one")
        + Line(2, "stdout", 'P', "long-")
        + Line(2, "stderr", 'F', "err")
        + Line(3, "stdout", 'P', "line-")
        + Line(4, "stdout", 'F', "end")
        + Line(5, "stdout", 'F', "five")
        + Line(6, "stdout", 'P', "no newline");

    private async Task<List<(string Stream, string Text, bool Complete)>> ReadAsync(string content, LogReadOptions options)
    {
        string path = Path.Combine(_dir, "ctr.log");
        await File.WriteAllTextAsync(path, content);
        var list = new List<(string, string, bool)>();
        await foreach (LogEntry e in ContainerLogReader.ReadAsync(path, options))
        {
            list.Add((e.Stream.ToString(), Encoding.UTF8.GetString(e.Content.Span), e.Complete));
        }
        return list;
    }

    [Fact]
    public async Task JoinsPartialChunksPerStream()
    {
        var entries = await ReadAsync(Sample(), new LogReadOptions());
        Assert.Equal(
            [("Stdout", "one", true), ("Stderr", "err", true), ("Stdout", "long-line-end", true), ("Stdout", "five", true), ("Stdout", "no newline", false)],
            entries);
    }

    [Fact]
    public async Task FiltersStreams() =>
        Assert.Equal([("Stderr", "err", true)], await ReadAsync(Sample(), new LogReadOptions { Stdout = false }));

    [Fact]
    public async Task TailKeepsLastEntries()
    {
        var entries = await ReadAsync(Sample().Replace(Line(6, "stdout", 'P', "no newline"), "", StringComparison.Ordinal), new LogReadOptions { Tail = 2 });
        Assert.Equal([("Stdout", "long-line-end", true), ("Stdout", "five", true)], entries);
        Assert.Empty(await ReadAsync(Line(1, "stdout", 'F', "x"), new LogReadOptions { Tail = 0 }));
    }

    [Fact]
    public async Task SinceAndUntilAreInclusive()
    {
        long second = 1_000_000_000L;
        long t5 = 1_795_816_805L * second + 1; // 22:00:05.000000001
        var entries = await ReadAsync(Sample(), new LogReadOptions { Since = t5 - (3 * second), Until = t5 });
        // since = 22:00:02.000000001 exactly: the joined line carries its first chunk's time and is kept;
        // "one" (22:00:01) is before since, the trailing partial (22:00:06) after until.
        Assert.Equal([("Stderr", "err", true), ("Stdout", "long-line-end", true), ("Stdout", "five", true)], entries);
        var later = await ReadAsync(Sample(), new LogReadOptions { Since = t5 - (3 * second) + 1, Until = t5 });
        Assert.Equal([("Stdout", "five", true)], later);
    }

    [Fact]
    public async Task SkipsTornLastLineWithoutNewline()
    {
        var entries = await ReadAsync(Line(1, "stdout", 'F', "ok") + "2026-11-27T22:00:0", new LogReadOptions());
        Assert.Equal([("Stdout", "ok", true)], entries);
    }

    [Fact]
    public async Task Follow_SeesAppendsAndRotation_EndsAfterStop()
    {
        string path = Path.Combine(_dir, "ctr.log");
        await File.WriteAllTextAsync(path, Line(1, "stdout", 'F', "a"));
        var stop = new TaskCompletionSource();
        var seen = new List<string>();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        Task reader = Task.Run(async () =>
        {
            await foreach (LogEntry e in ContainerLogReader.ReadAsync(path, new LogReadOptions { Follow = true, PollInterval = TimeSpan.FromMilliseconds(50) }, stop.Task, cts.Token))
            {
                lock (seen)
                {
                    seen.Add(Encoding.UTF8.GetString(e.Content.Span));
                }
            }
        });
        await WaitForAsync(seen, 1);
        await File.AppendAllTextAsync(path, Line(2, "stdout", 'F', "b"));
        await WaitForAsync(seen, 2);
        File.Move(path, path + ".1"); // rotation: rename, then the monitor creates a new file
        await File.AppendAllTextAsync(path + ".1", Line(3, "stdout", 'F', "c-late-in-old"));
        await File.WriteAllTextAsync(path, Line(4, "stdout", 'F', "d-new"));
        await WaitForAsync(seen, 4);
        await File.AppendAllTextAsync(path, Line(5, "stdout", 'F', "e-last"));
        stop.SetResult();
        await reader.WaitAsync(cts.Token);
        Assert.Equal(["a", "b", "c-late-in-old", "d-new", "e-last"], seen);
    }

    private static async Task WaitForAsync(List<string> seen, int count)
    {
        for (int i = 0; i < 400; i++)
        {
            lock (seen)
            {
                if (seen.Count >= count)
                {
                    return;
                }
            }
            await Task.Delay(10);
        }
        throw new TimeoutException($"saw {seen.Count} entries, wanted {count}");
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
