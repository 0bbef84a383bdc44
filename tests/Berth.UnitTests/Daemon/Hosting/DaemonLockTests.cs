using Berth.Daemon.Hosting;

namespace Berth.UnitTests.Daemon.Hosting;

public sealed class DaemonLockTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("berth-ut-lock-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private string P(string name) => Path.Combine(_root, name);

    [Fact]
    public void SecondHolderOfTheSameDataRootIsRefusedWithThePid()
    {
        using var first = DaemonLock.Acquire(P("a.pid"), P("data"), P("exec-a"), out string? e1);
        Assert.Null(e1);
        using var second = DaemonLock.Acquire(P("b.pid"), P("data"), P("exec-b"), out string? e2);
        Assert.NotNull(e2);
        Assert.Contains("data-root", e2, StringComparison.Ordinal);
        Assert.Contains($"pid {Environment.ProcessId}", e2, StringComparison.Ordinal);
    }

    [Fact]
    public void SameExecRootIsRefusedToo()
    {
        using var first = DaemonLock.Acquire(P("a.pid"), P("data-a"), P("exec"), out _);
        using var second = DaemonLock.Acquire(P("b.pid"), P("data-b"), P("exec"), out string? error);
        Assert.NotNull(error);
        Assert.Contains("exec-root", error, StringComparison.Ordinal);
    }

    [Fact]
    public void ReleaseRemovesThePidfileAndAllowsTheNextDaemon()
    {
        var first = DaemonLock.Acquire(P("a.pid"), P("data"), P("exec"), out _);
        Assert.Equal($"{Environment.ProcessId}\n", Berth.Linux.Libc.ReadSmallFileUnlocked(P("a.pid")));
        first.Dispose();
        Assert.False(File.Exists(P("a.pid")));
        using var second = DaemonLock.Acquire(P("a.pid"), P("data"), P("exec"), out string? error);
        Assert.Null(error);
    }

    [Fact]
    public void AFailedAcquireHoldsNothing()
    {
        using var holder = DaemonLock.Acquire(P("x.pid"), P("data-x"), P("exec-x"), out _);
        // data-root is free, exec-root is taken: the data-root lock must be released again.
        using var failed = DaemonLock.Acquire(P("y.pid"), P("data-y"), P("exec-x"), out string? error);
        Assert.NotNull(error);
        using var again = DaemonLock.Acquire(P("z.pid"), P("data-y"), P("exec-z"), out string? error2);
        Assert.Null(error2);
    }
}
