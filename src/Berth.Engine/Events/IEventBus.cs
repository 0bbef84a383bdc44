namespace Berth.Engine.Events;

/// <summary>
/// In-process event bus with a bounded history. Subscribing takes the history snapshot and
/// registers the live subscriber under one lock, so no event falls between replay and live.
/// </summary>
public interface IEventBus
{
    /// <summary>Records and fans out an event stamped with the current time.</summary>
    EventMessage Publish(string type, string action, string actorId, IReadOnlyDictionary<string, string>? attributes = null);

    /// <summary>
    /// Returns the buffered events (oldest first) and a live subscription. Dispose the
    /// subscription to stop receiving. A slow subscriber is dropped rather than blocking publishers.
    /// </summary>
    EventSubscription Subscribe();
}

/// <summary>A history snapshot plus the live feed that continues exactly after it.</summary>
public sealed class EventSubscription : IDisposable
{
    private readonly Action _unsubscribe;

    public EventSubscription(IReadOnlyList<EventMessage> history, System.Threading.Channels.ChannelReader<EventMessage> live, Action unsubscribe)
    {
        History = history;
        Live = live;
        _unsubscribe = unsubscribe;
    }

    public IReadOnlyList<EventMessage> History { get; }
    public System.Threading.Channels.ChannelReader<EventMessage> Live { get; }

    public void Dispose() => _unsubscribe();
}
