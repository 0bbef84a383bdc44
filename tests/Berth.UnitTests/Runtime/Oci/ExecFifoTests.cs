using System.Diagnostics;
using Berth.Runtime.Oci;

namespace Berth.UnitTests.Runtime.Oci;

public sealed class ExecFifoTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("berth-fifo-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string MakeFifo()
    {
        string path = Path.Combine(_dir, "exec.fifo");
        using Process mkfifo = Process.Start("mkfifo", path);
        mkfifo.WaitForExit();
        Assert.Equal(0, mkfifo.ExitCode);
        return path;
    }

    private static int DeadPid()
    {
        using Process p = Process.Start("true");
        p.WaitForExit();
        return p.Id;
    }

    /// <summary>What runc's init does: open for writing (waits for the starter), write "0", close at exec.</summary>
    [Fact]
    public async Task ReleasesTheWaitingInitAndRemovesTheFifo()
    {
        string fifo = MakeFifo();
        var wrote = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Task init = Task.Run(() =>
        {
            using var w = new FileStream(fifo, FileMode.Open, FileAccess.Write, FileShare.ReadWrite, bufferSize: 0);
            w.Write("0"u8);
            wrote.SetResult();
        });
        await ExecFifo.ReleaseAsync(fifo, Environment.ProcessId).WaitAsync(TimeSpan.FromSeconds(10));
        await init.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.True(wrote.Task.IsCompleted);
        Assert.False(File.Exists(fifo)); // runc reads this as "running"
    }

    [Fact]
    public async Task ADeadInitFailsTheStartInsteadOfHanging()
    {
        string fifo = MakeFifo();
        var e = await Assert.ThrowsAsync<InvalidOperationException>(
            () => ExecFifo.ReleaseAsync(fifo, DeadPid()).WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal("container process is already dead", e.Message);
        Assert.True(File.Exists(fifo)); // nothing started: the state stays as the runtime left it
    }
}
