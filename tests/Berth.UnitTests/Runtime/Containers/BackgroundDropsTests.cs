using Berth.Runtime.Containers;

namespace Berth.UnitTests.Runtime.Containers;

public class BackgroundDropsTests
{
    [Fact]
    public async Task StartReturnsBeforeTheWorkAndWhenDoneWaitsForIt()
    {
        var drops = new BackgroundDrops();
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        bool ran = false;
        drops.Start("a", async () =>
        {
            await gate.Task;
            ran = true;
        });
        Task done = drops.WhenDone("a");
        Assert.False(done.IsCompleted);
        Assert.True(drops.WhenDone("other").IsCompleted);
        gate.SetResult();
        await done.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.True(ran);
    }

    [Fact]
    public async Task WorkForOneIdRunsAfterTheEarlierOne()
    {
        var drops = new BackgroundDrops();
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var order = new List<int>();
        drops.Start("a", async () =>
        {
            await gate.Task;
            lock (order)
            {
                order.Add(1);
            }
        });
        drops.Start("a", () =>
        {
            lock (order)
            {
                order.Add(2);
            }
            return Task.CompletedTask;
        });
        gate.SetResult();
        await drops.WhenDone("a").WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal([1, 2], order);
    }

    [Fact]
    public async Task FailureReachesTheWaiterButNotWhenAllDone()
    {
        var drops = new BackgroundDrops();
        drops.Start("a", () => throw new IOException("runtime delete failed"));
        var e = await Assert.ThrowsAsync<IOException>(() => drops.WhenDone("a").WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal("runtime delete failed", e.Message);
        await drops.WhenAllDone().WaitAsync(TimeSpan.FromSeconds(10));
    }
}
