using System.IO.Pipelines;
using System.Text.Json;
using Berth.Api.Http;
using Berth.Api.Models;
using Berth.Engine.Errors;
using Berth.Engine.Events;
using Berth.Engine.Filters;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Berth.Api.Routers;

/// <summary>
/// GET /events (moby api/server/router/system getEvents): optional replay of the buffered history
/// within [since, until], then live events until <c>until</c> or until the client goes away.
/// One JSON object and one newline per event, flushed each time.
/// </summary>
public sealed class EventsRouter : IRouter
{
    /// <summary>status/id/from are backfilled below this version (version-history v1.52).</summary>
    private static readonly ApiVersion LegacyFieldsRemoved = new(1, 52);

    /// <summary>Image "create" events exist from this version on (version-history v1.46).</summary>
    private static readonly ApiVersion ImageCreateAdded = new(1, 46);

    /// <summary>Longest single timer wait; far-away deadlines are reached in steps.</summary>
    private static readonly TimeSpan MaxTimerStep = TimeSpan.FromDays(30);

    private readonly IEventBus _events;
    private readonly TimeProvider _timeProvider;

    public EventsRouter(IEventBus events, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(events);
        ArgumentNullException.ThrowIfNull(timeProvider);
        _events = events;
        _timeProvider = timeProvider;
    }

    public void Map(IEndpointRouteBuilder routes) => routes.MapGet("/events", (RequestDelegate)HandleAsync);

    internal async Task HandleAsync(HttpContext context)
    {
        var query = context.Request.Query;
        string? sinceText = query["since"];
        string? untilText = query["until"];
        long? since = EventTimestamps.ParseNanoseconds(sinceText);
        long? until = EventTimestamps.ParseNanoseconds(untilText);
        if (since is not null && until is not null && until < since)
        {
            throw DaemonException.InvalidParameter(Messages.EventsSinceAfterUntil(sinceText!, untilText!));
        }
        // dockerd decides "only past events" before subscribing, by strict comparison.
        bool onlyPastEvents = until is not null && until < EventBus.ToUnixNanoseconds(_timeProvider.GetUtcNow());
        var filter = new EventFilter(FilterArgs.Parse(query["filters"]));
        var version = context.ApiVersion();
        bool legacyFields = version < LegacyFieldsRemoved;
        bool skipImageCreate = version < ImageCreateAdded;

        // Subscribe before telling the client it is connected, so every event published after
        // the client sees the headers reaches it.
        using var subscription = _events.Subscribe();
        var aborted = context.RequestAborted;
        var response = context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "application/json";
        var output = response.BodyWriter;
        using var json = new Utf8JsonWriter(output, EventWire.WriterOptions);
        try
        {
            await response.StartAsync(aborted);
            await output.FlushAsync(aborted);

            // moby replays history only when since or until was given.
            if (since is not null || until is not null)
            {
                var history = subscription.History;
                for (int i = ReplayStart(history, since); i < history.Count; i++)
                {
                    var ev = history[i];
                    if (InReplayWindow(ev, until) && Wanted(ev, filter, skipImageCreate) &&
                        !await WriteAsync(json, output, ev, legacyFields, aborted))
                    {
                        return;
                    }
                }
            }
            if (onlyPastEvents)
            {
                return;
            }
            await StreamLiveAsync(subscription.Live, json, output, filter, legacyFields, skipImageCreate, until, aborted);
        }
        catch (OperationCanceledException) when (aborted.IsCancellationRequested)
        {
            // The client went away: the normal way for an open-ended stream to end.
        }
    }

    private async Task StreamLiveAsync(
        System.Threading.Channels.ChannelReader<EventMessage> live, Utf8JsonWriter json, PipeWriter output,
        EventFilter filter, bool legacyFields, bool skipImageCreate, long? until, CancellationToken aborted)
    {
        while (true)
        {
            using var deadline = until is null ? null : new CancellationTokenSource(NextTimerStep(until.Value), _timeProvider);
            using var linked = deadline is null ? null : CancellationTokenSource.CreateLinkedTokenSource(aborted, deadline.Token);
            var token = linked?.Token ?? aborted;
            try
            {
                // A dropped (too slow) subscriber's channel faults: that exception escapes, and
                // with the response started the connection is aborted, so the client sees a
                // broken stream rather than a clean end with events missing.
                while (await live.WaitToReadAsync(token))
                {
                    while (live.TryRead(out var ev))
                    {
                        if (Wanted(ev, filter, skipImageCreate) && !await WriteAsync(json, output, ev, legacyFields, aborted))
                        {
                            return;
                        }
                    }
                }
                return; // the bus completed the feed (unsubscribed or shut down)
            }
            catch (OperationCanceledException) when (deadline?.IsCancellationRequested == true && !aborted.IsCancellationRequested)
            {
                if (EventBus.ToUnixNanoseconds(_timeProvider.GetUtcNow()) >= until!.Value)
                {
                    return;
                }
                // Only a capped step elapsed; wait for the rest.
            }
        }
    }

    private TimeSpan NextTimerStep(long untilNanos)
    {
        long remaining = untilNanos - EventBus.ToUnixNanoseconds(_timeProvider.GetUtcNow());
        if (remaining <= 0)
        {
            return TimeSpan.Zero;
        }
        var delay = TimeSpan.FromTicks(Math.Max(1, remaining / 100));
        return delay > MaxTimerStep ? MaxTimerStep : delay;
    }

    /// <summary>
    /// Index of the first history event at or after <paramref name="since"/>. Like moby's
    /// loadBufferedEvents it walks back from the newest and stops at the first older event;
    /// an absent since counts as the epoch.
    /// </summary>
    internal static int ReplayStart(IReadOnlyList<EventMessage> history, long? since)
    {
        long from = since ?? 0;
        int start = history.Count;
        while (start > 0 && history[start - 1].TimeNano >= from)
        {
            start--;
        }
        return start;
    }

    /// <summary>moby only applies until to history when it is after the epoch (until=0 replays all).</summary>
    internal static bool InReplayWindow(EventMessage ev, long? until) =>
        until is not > 0 || ev.TimeNano <= until.Value;

    private static bool Wanted(EventMessage ev, EventFilter filter, bool skipImageCreate) =>
        !(skipImageCreate && ev.Type == EventTypes.Image && ev.Action == "create") && filter.Include(ev);

    /// <summary>Writes one event plus newline and flushes; false when the client has gone.</summary>
    private static async ValueTask<bool> WriteAsync(Utf8JsonWriter json, PipeWriter output, EventMessage ev, bool legacyFields, CancellationToken aborted)
    {
        EventWire.Write(json, ev, legacyFields);
        json.Flush();
        json.Reset(); // one top-level value per event: start the next one fresh on the same output
        output.GetSpan(1)[0] = (byte)'\n';
        output.Advance(1);
        var result = await output.FlushAsync(aborted);
        return !result.IsCompleted && !result.IsCanceled;
    }
}
