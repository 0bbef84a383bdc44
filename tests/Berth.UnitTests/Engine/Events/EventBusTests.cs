using System.Globalization;
using System.Threading.Channels;
using Berth.Engine.Errors;
using Berth.Engine.Events;

namespace Berth.UnitTests.Engine.Events;

public class EventBusTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    private static string N(int i) => i.ToString(CultureInfo.InvariantCulture);

    [Fact]
    public void PublishStampsWithTheInjectedClock()
    {
        var clock = new ManualTimeProvider(DateTimeOffset.FromUnixTimeSeconds(1_700_000_000));
        var bus = new EventBus(clock);
        var ev = bus.Publish(EventTypes.Container, "start", "abc");
        Assert.Equal(1_700_000_000_000_000_000L, ev.TimeNano);
        Assert.Equal("local", ev.Scope);
        Assert.Empty(ev.Attributes);
    }

    [Fact]
    public void AttributesAreCopiedAndSorted()
    {
        var bus = new EventBus(TimeProvider.System);
        var source = new Dictionary<string, string> { ["name"] = "web", ["image"] = "nginx", ["a"] = "1" };
        var ev = bus.Publish(EventTypes.Container, "start", "abc", source);
        source["name"] = "changed";
        Assert.Equal("web", ev.Attributes["name"]);
        Assert.Equal(["a", "image", "name"], ev.Attributes.Keys);
        Assert.False(ev.Attributes.ContainsKey("missing"));
    }

    [Fact]
    public async Task SubscriberSeesHistoryThenLiveInOrder()
    {
        var bus = new EventBus(TimeProvider.System);
        bus.Publish(EventTypes.Container, "create", "1");
        bus.Publish(EventTypes.Container, "start", "1");
        using var sub = bus.Subscribe();
        bus.Publish(EventTypes.Container, "die", "1");
        bus.Publish(EventTypes.Container, "destroy", "1");

        Assert.Equal(["create", "start"], sub.History.Select(e => e.Action));
        using var cts = new CancellationTokenSource(Timeout);
        Assert.Equal("die", (await sub.Live.ReadAsync(cts.Token)).Action);
        Assert.Equal("destroy", (await sub.Live.ReadAsync(cts.Token)).Action);
    }

    [Fact]
    public void HistoryKeepsTheNewest256()
    {
        var bus = new EventBus(TimeProvider.System);
        for (int i = 0; i < 300; i++)
        {
            bus.Publish(EventTypes.Network, "create", N(i));
        }
        using var sub = bus.Subscribe();
        Assert.Equal(EventBus.DefaultHistoryLimit, sub.History.Count);
        Assert.Equal(Enumerable.Range(44, 256).Select(N), sub.History.Select(e => e.ActorId));
    }

    [Fact]
    public void HistoryTimestampsNeverGoBackwards()
    {
        var bus = new EventBus(TimeProvider.System);
        Parallel.For(0, 500, i => bus.Publish(EventTypes.Volume, "create", N(i)));
        using var sub = bus.Subscribe();
        for (int i = 1; i < sub.History.Count; i++)
        {
            Assert.True(sub.History[i - 1].TimeNano <= sub.History[i].TimeNano);
        }
    }

    [Fact]
    public async Task SubscribeRacingPublishNeverLosesOrRepeats()
    {
        const int Total = 5000;
        var bus = new EventBus(TimeProvider.System, historyLimit: 64, subscriberBuffer: Total);
        var subscriptions = new List<EventSubscription>();
        var publisher = Task.Run(() =>
        {
            for (int i = 0; i < Total; i++)
            {
                bus.Publish(EventTypes.Container, "start", N(i));
            }
        });
        while (!publisher.IsCompleted)
        {
            subscriptions.Add(bus.Subscribe());
            await Task.Yield();
        }
        await publisher.WaitAsync(Timeout);
        subscriptions.Add(bus.Subscribe());

        foreach (var sub in subscriptions)
        {
            sub.Dispose(); // completes the channel so ReadAllAsync ends after the queued events
            var seen = sub.History.Select(e => int.Parse(e.ActorId, CultureInfo.InvariantCulture)).ToList();
            await foreach (var ev in sub.Live.ReadAllAsync().WithCancellation(new CancellationTokenSource(Timeout).Token))
            {
                seen.Add(int.Parse(ev.ActorId, CultureInfo.InvariantCulture));
            }
            // The history may start anywhere (it is bounded) but from there on every event
            // up to the last one appears exactly once, in order.
            Assert.NotEmpty(seen);
            int first = seen[0];
            Assert.Equal(Enumerable.Range(first, Total - first), seen);
        }
    }

    [Fact]
    public async Task SlowSubscriberIsDroppedWithoutBlockingOthers()
    {
        var bus = new EventBus(TimeProvider.System, subscriberBuffer: 2);
        using var slow = bus.Subscribe();
        using var fast = bus.Subscribe();
        using var cts = new CancellationTokenSource(Timeout);

        bus.Publish(EventTypes.Container, "a", "1");
        bus.Publish(EventTypes.Container, "b", "1");
        Assert.Equal("a", (await fast.Live.ReadAsync(cts.Token)).Action);
        Assert.Equal("b", (await fast.Live.ReadAsync(cts.Token)).Action);
        bus.Publish(EventTypes.Container, "c", "1"); // slow's queue is full: dropped

        Assert.Equal(1, bus.SubscriberCount);
        Assert.Equal("c", (await fast.Live.ReadAsync(cts.Token)).Action);
        // What was queued before the overflow is still readable, then the feed ends in an error.
        Assert.Equal("a", (await slow.Live.ReadAsync(cts.Token)).Action);
        Assert.Equal("b", (await slow.Live.ReadAsync(cts.Token)).Action);
        var error = await Assert.ThrowsAsync<DaemonException>(() => slow.Live.Completion.WaitAsync(cts.Token));
        Assert.Equal(ErrorKind.Unavailable, error.Kind);
        await Assert.ThrowsAsync<ChannelClosedException>(async () => await slow.Live.ReadAsync(cts.Token));
    }

    [Fact]
    public async Task DisposeUnsubscribesAndCompletesTheFeed()
    {
        var bus = new EventBus(TimeProvider.System);
        var sub = bus.Subscribe();
        Assert.Equal(1, bus.SubscriberCount);
        sub.Dispose();
        sub.Dispose(); // idempotent
        Assert.Equal(0, bus.SubscriberCount);
        bus.Publish(EventTypes.Container, "start", "1");
        await sub.Live.Completion.WaitAsync(Timeout);
        Assert.False(sub.Live.TryRead(out _));
    }
}
