using System.IO.Compression;
using Berth.Engine.Containers.Logs;
using Berth.Runtime.Logs;

namespace Berth.UnitTests.Runtime.Logs;

public sealed class LogRotatorTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("berth-rotate-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Plan_ShiftsOldestFirst_AndDropsBeyondMaxFile()
    {
        var existing = new HashSet<string> { "l", "l.1", "l.2.gz" };
        var (delete, renames) = LogRotator.Plan("l", 3, existing.Contains);
        Assert.Equal(["l.2.gz"], delete);
        Assert.Equal([("l.1", "l.2"), ("l", "l.1")], renames);
        Assert.Empty(LogRotator.Plan("l", 1, existing.Contains).Renames);
    }

    [Fact]
    public async Task Rotates_AtMaxSize_KeepingMaxFiles_AndCompresses()
    {
        string log = Path.Combine(_dir, "c-json.log");
        await File.WriteAllTextAsync(log, "");
        int reopens = 0;
        var rotator = new LogRotator { ReopenWait = TimeSpan.FromSeconds(1) };
        // conmon's reopen: a fresh file at the path.
        rotator.Track("c", log, new LogFileLimits(100, 3, Compress: true), () =>
        {
            Interlocked.Increment(ref reopens);
            File.WriteAllText(log, "");
        });
        try
        {
            for (int round = 1; round <= 4; round++)
            {
                await File.AppendAllTextAsync(log, new string((char)('a' + round), 150));
                await WaitForAsync(() => Volatile.Read(ref reopens) == round && File.Exists(log + ".1.gz") && !File.Exists(log + ".1"));
            }
            Assert.True(File.Exists(log + ".2.gz"));
            Assert.False(File.Exists(log + ".3.gz"));
            await using var gz = new GZipStream(File.OpenRead(log + ".1.gz"), CompressionMode.Decompress);
            Assert.Equal(new string('e', 150), await new StreamReader(gz).ReadToEndAsync());
        }
        finally
        {
            rotator.Untrack("c");
        }
        Assert.False(rotator.IsTracking("c"));
    }

    [Fact]
    public async Task MaxFileOne_DropsTheOldContent()
    {
        string log = Path.Combine(_dir, "one-json.log");
        await File.WriteAllTextAsync(log, new string('x', 50));
        int reopens = 0;
        var rotator = new LogRotator();
        rotator.Track("one", log, new LogFileLimits(10, 1, false), () =>
        {
            Interlocked.Increment(ref reopens);
            File.WriteAllText(log, "");
        });
        try
        {
            // Already over the limit when tracked: the first check rotates.
            await WaitForAsync(() => Volatile.Read(ref reopens) == 1);
            Assert.Equal("", await File.ReadAllTextAsync(log));
            Assert.Equal(["one-json.log"], Directory.GetFiles(_dir).Select(Path.GetFileName));
        }
        finally
        {
            rotator.Untrack("one");
        }
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
