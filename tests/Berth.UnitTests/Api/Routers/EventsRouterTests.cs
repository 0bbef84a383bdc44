using System.Text;
using Berth.Api.Routers;
using Berth.Engine.Errors;
using Berth.Engine.Events;
using Berth.UnitTests.Engine.Events;
using Microsoft.AspNetCore.Http;

namespace Berth.UnitTests.Api.Routers;

public class EventsRouterTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);
    private const long Second = 1_000_000_000;
    private const long T0 = 1_700_000_000 * Second;
    private static readonly long[] HistoryTimes = [10, 20, 20];

    private readonly ManualTimeProvider _clock = new(ManualTimeProvider.FromUnixNanoseconds(T0));
    private readonly EventBus _bus;
    private readonly EventsRouter _router;

    public EventsRouterTests()
    {
        _bus = new EventBus(_clock);
        _router = new EventsRouter(_bus, _clock);
    }

    private EventMessage PublishAt(long nanos, string type, string action, string id, params (string Key, string Value)[] attributes)
    {
        _clock.SetUnixNanoseconds(nanos);
        return _bus.Publish(type, action, id, attributes.ToDictionary(a => a.Key, a => a.Value));
    }

    private static DefaultHttpContext Context(string query, Stream body)
    {
        var context = new DefaultHttpContext();
        context.Request.Method = "GET";
        context.Request.Path = "/events";
        context.Request.QueryString = new QueryString(query);
        context.Response.Body = body;
        return context;
    }

    [Fact]
    public async Task ReplaysHistoryWithinSinceAndUntilThenEnds()
    {
        PublishAt(T0 + (1 * Second), EventTypes.Container, "create", "c1", ("name", "web"), ("image", "nginx"));
        PublishAt(T0 + (2 * Second), EventTypes.Container, "start", "c1", ("name", "web"), ("image", "nginx"));
        PublishAt(T0 + (3 * Second), EventTypes.Network, "connect", "n1", ("name", "bridge"));
        PublishAt(T0 + (4 * Second), EventTypes.Container, "die", "c1", ("name", "web"), ("image", "nginx"));
        _clock.SetUnixNanoseconds(T0 + (10 * Second));

        var body = new MemoryStream();
        var context = Context("?since=1700000002&until=1700000003.5", body);
        await _router.HandleAsync(context).WaitAsync(Timeout);

        Assert.Equal(200, context.Response.StatusCode);
        Assert.Equal("application/json", context.Response.ContentType);
        Assert.Equal(
            """{"status":"start","id":"c1","from":"nginx","Type":"container","Action":"start","Actor":{"ID":"c1","Attributes":{"image":"nginx","name":"web"}},"scope":"local","time":1700000002,"timeNano":1700000002000000000}""" + "\n" +
            """{"Type":"network","Action":"connect","Actor":{"ID":"n1","Attributes":{"name":"bridge"}},"scope":"local","time":1700000003,"timeNano":1700000003000000000}""" + "\n",
            Encoding.UTF8.GetString(body.ToArray()));
        Assert.Equal(0, _bus.SubscriberCount);
    }

    [Fact]
    public async Task ReplayAppliesFiltersAndHidesImageCreateBelow146()
    {
        PublishAt(T0 + Second, EventTypes.Image, "create", "sha256:1", ("name", "app:1"));
        PublishAt(T0 + Second, EventTypes.Image, "tag", "sha256:1", ("name", "app:1"));
        PublishAt(T0 + Second, EventTypes.Volume, "create", "v1");
        _clock.SetUnixNanoseconds(T0 + (5 * Second));

        var body = new MemoryStream();
        var filters = Uri.EscapeDataString("""{"type":{"image":true}}""");
        await _router.HandleAsync(Context($"?until=1700000004&filters={filters}", body)).WaitAsync(Timeout);

        var lines = Encoding.UTF8.GetString(body.ToArray()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Single(lines);
        Assert.Contains("\"Action\":\"tag\"", lines[0], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("?since=abc", "strconv.ParseInt: parsing \"abc\": invalid syntax")]
    [InlineData("?until=1.x", "strconv.ParseInt: parsing \"x\": invalid syntax")]
    [InlineData("?since=20&until=10", "`since` time (20) cannot be after `until` time (10)")]
    [InlineData("?filters=%7Bbad", "invalid filter")]
    public async Task BadParametersAreRejectedBeforeStreaming(string query, string message)
    {
        var body = new MemoryStream();
        var error = await Assert.ThrowsAsync<DaemonException>(() => _router.HandleAsync(Context(query, body)));
        Assert.Equal(ErrorKind.InvalidParameter, error.Kind);
        Assert.Equal(message, error.Message);
        Assert.Equal(0, body.Length);
        Assert.Equal(0, _bus.SubscriberCount);
    }

    [Fact]
    public async Task StreamsLiveEventsWithoutReplayUntilTheClientLeaves()
    {
        PublishAt(T0, EventTypes.Container, "create", "old"); // history, not replayed without since/until
        var body = new FlushSignallingStream();
        var context = Context("?filters=" + Uri.EscapeDataString("""{"event":["start"]}"""), body);
        using var aborted = new CancellationTokenSource();
        context.RequestAborted = aborted.Token;

        var handler = _router.HandleAsync(context);
        await body.WaitForFlushAsync(Timeout); // headers are out: the subscription exists
        Assert.Equal(0, body.Length);

        PublishAt(T0 + Second, EventTypes.Container, "create", "c1");
        PublishAt(T0 + Second, EventTypes.Container, "start", "c1");
        await body.WaitForFlushAsync(Timeout);
        aborted.Cancel();
        await handler.WaitAsync(Timeout);

        var lines = Encoding.UTF8.GetString(body.ToArray()).Split('\n');
        Assert.Equal(2, lines.Length);
        Assert.Equal(
            """{"status":"start","id":"c1","Type":"container","Action":"start","Actor":{"ID":"c1","Attributes":{}},"scope":"local","time":1700000001,"timeNano":1700000001000000000}""",
            lines[0]);
        Assert.Equal("", lines[1]);
        Assert.Equal(0, _bus.SubscriberCount);
    }

    [Fact]
    public async Task DroppedSubscriberBreaksTheStream()
    {
        var bus = new EventBus(_clock, subscriberBuffer: 2);
        var router = new EventsRouter(bus, _clock);
        var body = new FlushSignallingStream();
        var context = Context("", body);
        var handler = router.HandleAsync(context);
        await body.WaitForFlushAsync(Timeout);

        body.HoldFlushes(); // the client stops reading
        bus.Publish(EventTypes.Container, "a", "1");
        await body.WaitForFlushAsync(Timeout); // the handler is now stuck writing "a"
        bus.Publish(EventTypes.Container, "b", "1");
        bus.Publish(EventTypes.Container, "c", "1");
        bus.Publish(EventTypes.Container, "d", "1"); // queue (2) full: dropped
        Assert.Equal(0, bus.SubscriberCount);
        body.ReleaseFlushes();

        var error = await Assert.ThrowsAsync<DaemonException>(() => handler.WaitAsync(Timeout));
        Assert.Equal(ErrorKind.Unavailable, error.Kind);
        var actions = Encoding.UTF8.GetString(body.ToArray()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, actions.Length); // a, b, c were delivered, then the stream broke
    }

    [Theory]
    [InlineData(null, 0)]
    [InlineData(15L, 1)]
    [InlineData(20L, 1)]
    [InlineData(21L, 3)]
    [InlineData(100L, 3)]
    public void ReplayStartStopsAtTheFirstOlderEvent(long? since, int expected)
    {
        var history = HistoryTimes.Select(t => new EventMessage("container", "x", "", EventAttributeDictionary.Empty, t)).ToList();
        Assert.Equal(expected, EventsRouter.ReplayStart(history, since));
    }

    [Theory]
    [InlineData(null, true)]
    [InlineData(0L, true)] // moby ignores until <= 0 for history
    [InlineData(19L, false)]
    [InlineData(20L, true)]
    public void UntilBoundsReplayInclusively(long? until, bool expected)
    {
        var ev = new EventMessage("container", "x", "", EventAttributeDictionary.Empty, 20);
        Assert.Equal(expected, EventsRouter.InReplayWindow(ev, until));
    }

    /// <summary>A MemoryStream that lets the test await each flush (the handler flushes per event).</summary>
    private sealed class FlushSignallingStream : MemoryStream
    {
        private readonly SemaphoreSlim _flushes = new(0);
        private TaskCompletionSource _gate = CompletedGate();

        public override async Task FlushAsync(CancellationToken cancellationToken)
        {
            await base.FlushAsync(cancellationToken);
            _flushes.Release();
            await _gate.Task.WaitAsync(cancellationToken);
        }

        /// <summary>Makes later flushes wait, like a client that stopped reading.</summary>
        public void HoldFlushes() => _gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        public void ReleaseFlushes() => _gate.TrySetResult();

        private static TaskCompletionSource CompletedGate()
        {
            var done = new TaskCompletionSource();
            done.SetResult();
            return done;
        }

        public async Task WaitForFlushAsync(TimeSpan timeout)
        {
            Assert.True(await _flushes.WaitAsync(timeout), "no flush within the timeout");
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _flushes.Dispose();
            }
            base.Dispose(disposing);
        }
    }
}
