using System.Globalization;
using System.IO.Compression;
using System.Text;
using Berth.Engine.Containers;
using Berth.Engine.Containers.Logs;
using Berth.Runtime.Logs;

namespace Berth.UnitTests.Runtime.Logs;

public sealed class K8sLogReaderTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("berth-logs-").FullName;
    private readonly K8sLogReader _reader = new() { PollInterval = TimeSpan.FromMilliseconds(50) };

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string LogPath => Path.Combine(_dir, "c-json.log");

    internal static string Line(int second, string stream, char tag, string content) =>
        string.Create(CultureInfo.InvariantCulture, $"2026-11-27T22:00:{second:00}.000000001+00:00 {stream} {tag} {content}\n");

    private sealed class Collector : ILogSink
    {
        public List<(long Ts, string Stream, string Text, bool Newline)> Entries { get; } = [];

        public void Write(long timestampNanos, OutputKind stream, ReadOnlySpan<byte> content, bool newline)
        {
            lock (Entries)
            {
                Entries.Add((timestampNanos, stream.ToString(), Encoding.UTF8.GetString(content), newline));
            }
        }

        public ValueTask FlushAsync(CancellationToken cancellationToken) => ValueTask.CompletedTask;

        public List<string> Texts()
        {
            lock (Entries)
            {
                return [.. Entries.Select(e => e.Text)];
            }
        }
    }

    private async Task<Collector> ReadAsync(LogQuery query, Task? exited = null)
    {
        var sink = new Collector();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await _reader.CopyAsync(LogPath, query, exited, sink, cts.Token);
        return sink;
    }

    private static string Sample() =>
        Line(1, "stdout", 'F', "one")
        + Line(2, "stdout", 'P', "long-")
        + Line(2, "stderr", 'F', "err")
        + Line(3, "stdout", 'P', "line-")
        + Line(4, "stdout", 'F', "end")
        + Line(5, "stdout", 'F', "five")
        + Line(6, "stdout", 'P', "no newline");

    [Fact]
    public async Task JoinsPartialChunksPerStream_LastChunkWithoutNewline()
    {
        await File.WriteAllTextAsync(LogPath, Sample());
        var sink = await ReadAsync(new LogQuery());
        Assert.Equal(
            [("Stdout", "one", true), ("Stderr", "err", true), ("Stdout", "long-line-end", true), ("Stdout", "five", true), ("Stdout", "no newline", false)],
            sink.Entries.Select(e => (e.Stream, e.Text, e.Newline)));
    }

    [Fact]
    public async Task StreamSelection()
    {
        await File.WriteAllTextAsync(LogPath, Sample());
        Assert.Equal(["err"], (await ReadAsync(new LogQuery { Stdout = false })).Texts());
    }

    [Fact]
    public async Task SinceAndUntil_AreInclusive_OnTheEntrysFirstChunk()
    {
        await File.WriteAllTextAsync(LogPath, Sample());
        long second = 1_000_000_000L;
        long t5 = (1_795_816_805L * second) + 1; // 22:00:05.000000001
        Assert.Equal(["err", "long-line-end", "five"], (await ReadAsync(new LogQuery { Since = t5 - (3 * second), Until = t5 })).Texts());
        Assert.Equal(["five"], (await ReadAsync(new LogQuery { Since = t5 - (3 * second) + 1, Until = t5 })).Texts());
    }

    [Fact]
    public async Task Tail_CountsEntries_IncludingTheirChunks_AndATrailingPartial()
    {
        await File.WriteAllTextAsync(LogPath, Sample());
        Assert.Equal(["five", "no newline"], (await ReadAsync(new LogQuery { Tail = 2 })).Texts());
        Assert.Equal(["long-line-end", "five", "no newline"], (await ReadAsync(new LogQuery { Tail = 3 })).Texts());
        Assert.Empty((await ReadAsync(new LogQuery { Tail = 0 })).Texts());
        Assert.Equal(7 - 2, (await ReadAsync(new LogQuery { Tail = 100 })).Texts().Count);
    }

    [Fact]
    public async Task Tail_KeepsTheChunksOfAnEntrySplitByTheOtherStream()
    {
        await File.WriteAllTextAsync(LogPath,
            Line(1, "stdout", 'F', "zero") + Line(2, "stdout", 'P', "a") + Line(2, "stderr", 'F', "b") + Line(3, "stdout", 'F', "c"));
        Assert.Equal(["ac"], (await ReadAsync(new LogQuery { Tail = 1 })).Texts());
        Assert.Equal(["b", "ac"], (await ReadAsync(new LogQuery { Tail = 2 })).Texts());
    }

    [Fact]
    public async Task Tail_OfALargeFile_ReadsBackwardsAcrossBlocks()
    {
        var text = new StringBuilder();
        for (int i = 0; i < 20_000; i++)
        {
            text.Append(Line(i % 60, i % 3 == 0 ? "stderr" : "stdout", 'F', "line " + i.ToString(CultureInfo.InvariantCulture)));
        }
        await File.WriteAllTextAsync(LogPath, text.ToString());
        List<string> tail = (await ReadAsync(new LogQuery { Tail = 5000 })).Texts();
        Assert.Equal(5000, tail.Count);
        Assert.Equal("line 15000", tail[0]);
        Assert.Equal("line 19999", tail[^1]);
        Assert.Equal(20_000, (await ReadAsync(new LogQuery())).Texts().Count);
    }

    [Fact]
    public async Task Tail_OfAOneStreamFile_StopsAtTheBoundary()
    {
        // No stderr record in the tail: the search ends at the boundary instead of looking
        // megabytes further back for stderr chunks that could belong to it.
        var text = new StringBuilder();
        for (int i = 0; i < 60_000; i++)
        {
            text.Append(Line(i % 60, "stdout", 'F', "line " + i.ToString(CultureInfo.InvariantCulture)));
        }
        await File.WriteAllTextAsync(LogPath, text.ToString());
        Assert.Equal(["line 59997", "line 59998", "line 59999"], (await ReadAsync(new LogQuery { Tail = 3 })).Texts());
        Assert.Equal("line 50000", (await ReadAsync(new LogQuery { Tail = 10_000 })).Texts()[0]);

        // A stderr entry split around the boundary is still found when the tail has stderr in it.
        await File.AppendAllTextAsync(LogPath, Line(1, "stderr", 'P', "x") + Line(1, "stdout", 'F', "last") + Line(1, "stderr", 'F', "y"));
        Assert.Equal(["last", "xy"], (await ReadAsync(new LogQuery { Tail = 2 })).Texts());
    }

    [Fact]
    public async Task RotatedFiles_AreReadOldestFirst_CompressedOnesToo_AndTailSpansThem()
    {
        await File.WriteAllTextAsync(LogPath + ".2", Line(1, "stdout", 'F', "a") + Line(1, "stdout", 'F', "b"));
        await using (var gz = new GZipStream(File.Create(LogPath + ".1.gz"), CompressionLevel.Fastest))
        {
            await gz.WriteAsync(Encoding.UTF8.GetBytes(Line(2, "stdout", 'F', "c") + Line(2, "stdout", 'F', "d")));
        }
        await File.WriteAllTextAsync(LogPath, Line(3, "stdout", 'F', "e"));
        Assert.Equal(["a", "b", "c", "d", "e"], (await ReadAsync(new LogQuery())).Texts());
        Assert.Equal(["d", "e"], (await ReadAsync(new LogQuery { Tail = 2 })).Texts());
        Assert.Equal(["b", "c", "d", "e"], (await ReadAsync(new LogQuery { Tail = 4 })).Texts());
    }

    [Fact]
    public async Task SkipsTornAndForeignLines()
    {
        await File.WriteAllTextAsync(LogPath, "garbage\n" + Line(1, "stdout", 'F', "ok") + "2026-11-27T22:00:0");
        Assert.Equal(["ok"], (await ReadAsync(new LogQuery())).Texts());
    }

    [Fact]
    public async Task Follow_SeesAppendsAndRotation_EndsAfterExitWithEverything()
    {
        await File.WriteAllTextAsync(LogPath, Line(1, "stdout", 'F', "a"));
        var exited = new TaskCompletionSource();
        var sink = new Collector();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        Task follow = _reader.CopyAsync(LogPath, new LogQuery { Follow = true }, exited.Task, sink, cts.Token);
        await WaitForAsync(() => sink.Texts().Count == 1);
        await File.AppendAllTextAsync(LogPath, Line(2, "stdout", 'F', "b"));
        await WaitForAsync(() => sink.Texts().Count == 2);
        // The rotator's move, a late write into the old file, then conmon's fresh file.
        File.Move(LogPath, LogPath + ".1");
        await File.AppendAllTextAsync(LogPath + ".1", Line(3, "stdout", 'F', "c"));
        await File.WriteAllTextAsync(LogPath, Line(4, "stdout", 'P', "d-"));
        await File.AppendAllTextAsync(LogPath, Line(4, "stdout", 'F', "done"));
        await File.AppendAllTextAsync(LogPath, Line(5, "stdout", 'P', "last"));
        await WaitForAsync(() => sink.Texts().Count == 4);
        Assert.False(follow.IsCompleted);
        exited.SetResult();
        await follow.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(["a", "b", "c", "d-done", "last"], sink.Texts());
    }

    [Fact]
    public async Task Follow_WithTailZero_StartsAtTheEnd_AndCancels()
    {
        await File.WriteAllTextAsync(LogPath, Line(1, "stdout", 'F', "old"));
        var sink = new Collector();
        using var cts = new CancellationTokenSource();
        Task follow = _reader.CopyAsync(LogPath, new LogQuery { Follow = true, Tail = 0 }, new TaskCompletionSource().Task, sink, cts.Token);
        await File.AppendAllTextAsync(LogPath, Line(2, "stdout", 'F', "new"));
        await WaitForAsync(() => sink.Texts().Count == 1);
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => follow.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(["new"], sink.Texts());
    }

    [Fact]
    public async Task MissingFile_IsEmpty()
    {
        Assert.Empty((await ReadAsync(new LogQuery())).Entries);
        Assert.Empty((await ReadAsync(new LogQuery { Tail = 3 })).Entries);
    }

    private static async Task WaitForAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not met in time");
            await Task.Delay(10);
        }
    }
}
