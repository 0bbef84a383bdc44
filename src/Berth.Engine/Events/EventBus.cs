using System.Threading.Channels;
using Berth.Engine.Errors;

namespace Berth.Engine.Events;

/// <summary>
/// The daemon's event bus (moby daemon/events). One lock covers the history ring, the timestamp
/// and the fan-out, so history order is publish order is time order, and a subscriber's snapshot
/// plus its live feed is exactly the sequence of events with nothing lost or repeated.
/// Publishers never wait: each subscriber has a bounded channel, and one that is full is
/// completed with an error and removed (moby instead skips the event after 100 ms; dropping the
/// stream makes the loss visible to the client instead of silently leaving gaps).
/// </summary>
public sealed class EventBus : IEventBus
{
    /// <summary>moby daemon/events eventsLimit.</summary>
    public const int DefaultHistoryLimit = 256;

    /// <summary>moby daemon/events bufferSize (per-subscriber queue).</summary>
    public const int DefaultSubscriberBuffer = 1024;

    private readonly TimeProvider _timeProvider;
    private readonly int _subscriberBuffer;
    private readonly Lock _lock = new();
    private readonly EventMessage[] _history;
    private int _historyStart;
    private int _historyCount;
    private Subscriber[] _subscribers = [];

    public EventBus(TimeProvider timeProvider, int historyLimit = DefaultHistoryLimit, int subscriberBuffer = DefaultSubscriberBuffer)
    {
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentOutOfRangeException.ThrowIfLessThan(historyLimit, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(subscriberBuffer, 1);
        _timeProvider = timeProvider;
        _subscriberBuffer = subscriberBuffer;
        _history = new EventMessage[historyLimit];
    }

    /// <summary>Live subscriber count (for diagnostics and tests).</summary>
    public int SubscriberCount
    {
        get
        {
            lock (_lock)
            {
                return _subscribers.Length;
            }
        }
    }

    public EventMessage Publish(string type, string action, string actorId, IReadOnlyDictionary<string, string>? attributes = null)
    {
        ArgumentNullException.ThrowIfNull(type);
        ArgumentNullException.ThrowIfNull(action);
        ArgumentNullException.ThrowIfNull(actorId);
        // Copy outside the lock: the caller's dictionary is not ours to hold.
        var frozen = EventAttributeDictionary.From(attributes);
        List<Subscriber>? overflowed = null;
        EventMessage message;
        lock (_lock)
        {
            message = new EventMessage(type, action, actorId, frozen, ToUnixNanoseconds(_timeProvider.GetUtcNow()));
            Append(message);
            foreach (var subscriber in _subscribers)
            {
                if (!subscriber.Channel.Writer.TryWrite(message))
                {
                    (overflowed ??= []).Add(subscriber);
                }
            }
            if (overflowed is not null)
            {
                foreach (var slow in overflowed)
                {
                    RemoveLocked(slow);
                }
            }
        }
        if (overflowed is not null)
        {
            foreach (var slow in overflowed)
            {
                // The reader sees this once it has drained what was queued before the overflow.
                slow.Channel.Writer.TryComplete(DaemonException.Unavailable(Messages.EventSubscriberTooSlow));
            }
        }
        return message;
    }

    public EventSubscription Subscribe()
    {
        var subscriber = new Subscriber(Channel.CreateBounded<EventMessage>(new BoundedChannelOptions(_subscriberBuffer)
        {
            SingleReader = true,
            SingleWriter = false,
            FullMode = BoundedChannelFullMode.Wait, // only TryWrite is used, so "Wait" means "report full"
        }));
        EventMessage[] snapshot;
        lock (_lock)
        {
            snapshot = new EventMessage[_historyCount];
            for (int i = 0; i < _historyCount; i++)
            {
                snapshot[i] = _history[(_historyStart + i) % _history.Length];
            }
            var grown = new Subscriber[_subscribers.Length + 1];
            _subscribers.CopyTo(grown, 0);
            grown[^1] = subscriber;
            _subscribers = grown;
        }
        return new EventSubscription(snapshot, subscriber.Channel.Reader, () => Unsubscribe(subscriber));
    }

    /// <summary>Unix time in nanoseconds; DateTimeOffset has 100 ns resolution.</summary>
    public static long ToUnixNanoseconds(DateTimeOffset time) =>
        (time.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) * 100;

    private void Unsubscribe(Subscriber subscriber)
    {
        lock (_lock)
        {
            RemoveLocked(subscriber);
        }
        subscriber.Channel.Writer.TryComplete();
    }

    private void Append(EventMessage message)
    {
        if (_historyCount < _history.Length)
        {
            _history[(_historyStart + _historyCount) % _history.Length] = message;
            _historyCount++;
            return;
        }
        // Full: overwrite the oldest and advance the start (moby discards the oldest too).
        _history[_historyStart] = message;
        _historyStart = (_historyStart + 1) % _history.Length;
    }

    private void RemoveLocked(Subscriber subscriber)
    {
        int index = Array.IndexOf(_subscribers, subscriber);
        if (index < 0)
        {
            return;
        }
        // Copy-on-write keeps Publish's loop simple; subscribe/unsubscribe are rare next to publish.
        var shrunk = new Subscriber[_subscribers.Length - 1];
        Array.Copy(_subscribers, 0, shrunk, 0, index);
        Array.Copy(_subscribers, index + 1, shrunk, index, _subscribers.Length - index - 1);
        _subscribers = shrunk;
    }

    /// <summary>A class, not a record: subscribers are identified by reference.</summary>
    private sealed class Subscriber(Channel<EventMessage> channel)
    {
        public Channel<EventMessage> Channel { get; } = channel;
    }
}
