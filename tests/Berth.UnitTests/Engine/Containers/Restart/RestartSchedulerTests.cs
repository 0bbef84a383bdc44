using Berth.Engine.Containers.Restart;
using Microsoft.Extensions.Time.Testing;

namespace Berth.UnitTests.Engine.Containers.Restart;

public sealed class RestartSchedulerTests
{
    private const string Id = "c1";

    private static (RestartScheduler Scheduler, FakeTimeProvider Time, List<string> Started) Rig()
    {
        var time = new FakeTimeProvider();
        return (new RestartScheduler(time), time, []);
    }

    [Fact]
    public async Task Schedule_RunsTheRestartOnlyAfterTheDelay()
    {
        var (scheduler, time, started) = Rig();
        var ran = new TaskCompletionSource();
        scheduler.For(Id).Decide(new("always"), 1, false, TimeSpan.Zero, 0);
        scheduler.Schedule(Id, TimeSpan.FromMilliseconds(100), () => { started.Add(Id); ran.SetResult(); return Task.CompletedTask; });
        time.Advance(TimeSpan.FromMilliseconds(99));
        Assert.Empty(started);
        Assert.Equal(1, scheduler.PendingCount);
        time.Advance(TimeSpan.FromMilliseconds(1));
        await ran.Task.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal([Id], started);
        Assert.Equal(0, scheduler.PendingCount);
        Assert.False(scheduler.For(Id).Pending);
    }

    [Fact]
    public void Cancel_DuringTheBackoff_DropsTheRestart()
    {
        var (scheduler, time, started) = Rig();
        scheduler.For(Id).Decide(new("always"), 1, false, TimeSpan.Zero, 0);
        scheduler.Schedule(Id, TimeSpan.FromSeconds(1), () => { started.Add(Id); return Task.CompletedTask; });
        Assert.True(scheduler.Cancel(Id));
        time.Advance(TimeSpan.FromMinutes(2));
        Assert.Empty(started);
        Assert.True(scheduler.For(Id).Canceled);
    }

    [Fact]
    public void Reset_GivesAFreshTracker_AndForgetDropsEverything()
    {
        var (scheduler, time, started) = Rig();
        RestartTracker first = scheduler.For(Id);
        first.Decide(new("always"), 1, false, TimeSpan.Zero, 0);
        scheduler.Schedule(Id, TimeSpan.FromSeconds(1), () => { started.Add("first"); return Task.CompletedTask; });
        scheduler.Reset(Id);
        Assert.True(first.Canceled);
        RestartTracker second = scheduler.For(Id);
        Assert.NotSame(first, second);
        Assert.Equal(100, second.Decide(new("always"), 1, false, TimeSpan.Zero, 0).Delay.TotalMilliseconds);
        scheduler.Forget(Id);
        time.Advance(TimeSpan.FromMinutes(2));
        Assert.Empty(started);
    }

    [Fact]
    public void CancelAll_AtShutdown_NoLaterScheduleRuns()
    {
        var (scheduler, time, started) = Rig();
        scheduler.Schedule("a", TimeSpan.FromSeconds(1), () => { started.Add("a"); return Task.CompletedTask; });
        Assert.Equal(["a"], scheduler.CancelAll());
        scheduler.Schedule("b", TimeSpan.FromSeconds(1), () => { started.Add("b"); return Task.CompletedTask; });
        time.Advance(TimeSpan.FromMinutes(1));
        Assert.Empty(started);
        Assert.True(scheduler.For("b").Canceled);
    }
}
