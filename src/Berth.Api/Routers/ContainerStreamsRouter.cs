using System.IO.Pipelines;
using Berth.Api.Http;
using Berth.Api.Streams;
using Berth.Engine.Containers;
using Berth.Engine.Containers.Logs;
using Berth.Engine.Errors;
using Berth.Engine.Events;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Berth.Api.Routers;

/// <summary>
/// A container's streams: logs, attach (hijacked HTTP and websocket) and TTY resize. Decode,
/// check (errors are plain HTTP answers until the stream starts), then pump.
/// </summary>
public sealed class ContainerStreamsRouter : IRouter
{
    private readonly IContainerService _containers;
    private readonly ContainerLogService _logs;

    public ContainerStreamsRouter(IContainerService containers, ContainerLogService logs)
    {
        _containers = containers;
        _logs = logs;
    }

    public void Map(IEndpointRouteBuilder routes)
    {
        routes.MapGet("/containers/{id}/logs", LogsAsync);
        routes.MapPost("/containers/{id}/resize", Resize);
        routes.MapPost("/containers/{id}/attach", AttachAsync);
        routes.MapGet("/containers/{id}/attach/ws", AttachWebSocketAsync);
    }

    /// <summary>
    /// moby getContainersLogs: 200 and an (empty) flush as soon as the checks pass, then one frame
    /// per entry; raw for a TTY. Content-Type multiplexed only from API 1.42 (the frames are the same).
    /// </summary>
    private async Task LogsAsync(HttpContext context)
    {
        var q = context.Request.Query;
        var query = new LogQuery
        {
            Stdout = context.QueryBool("stdout"),
            Stderr = context.QueryBool("stderr"),
            Follow = context.QueryBool("follow"),
            Since = ParseTime(q["since"], allowZero: true),
            Until = ParseTime(q["until"], allowZero: false),
            // dockerd: anything Atoi refuses ("all") means everything.
            Tail = int.TryParse(q["tail"], System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out int tail) ? tail : -1,
        };
        if (!query.Stdout && !query.Stderr)
        {
            throw DaemonException.InvalidParameter(Messages.LogsNeedStream);
        }
        LogSession session = _logs.Open(context.RouteValue("id"), query);
        var response = context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = !session.Tty && context.ApiVersion() >= new Http.ApiVersion(1, 42) ? Hijack.MultiplexedStream : Hijack.RawStream;
        await response.StartAsync(context.RequestAborted);
        await response.Body.FlushAsync(context.RequestAborted);
        var sink = new DockerLogSink(response.BodyWriter, multiplexed: !session.Tty, context.QueryBool("timestamps"),
            context.QueryBool("details") ? session.Details : null);
        try
        {
            await session.CopyToAsync(sink, context.RequestAborted);
        }
        catch (OperationCanceledException)
        {
            // the client went away (docker logs -f interrupted)
        }
        catch (IOException)
        {
            // same, seen from a write
        }
    }

    /// <summary>moby postContainersResize: h and w through strconv.Atoi (400 with its text).</summary>
    private Task Resize(HttpContext context)
    {
        int height = Atoi(context.Request.Query["h"]);
        int width = Atoi(context.Request.Query["w"]);
        _containers.Resize(context.RouteValue("id"), height, width);
        context.Response.StatusCode = StatusCodes.Status200OK;
        return Task.CompletedTask;
    }

    /// <summary>
    /// moby ContainerAttach: detach keys (400), container (404), paused (409) are checked before
    /// the connection is taken over; then logs=1 replays the log and stream=1 connects stdio.
    /// </summary>
    private async Task AttachAsync(HttpContext context)
    {
        string id = context.RouteValue("id");
        byte[] keys = DetachKeys.FromQuery(context.Request.Query["detachKeys"]);
        ContainerRecord record = CheckAttachable(id);
        bool tty = record.Config.Tty;
        AttachOptions options = OptionsOf(context, record, keys, multiplexed: !tty);
        LogSession? replay = context.QueryBool("logs") ? TryOpenReplay(id, options) : null;
        await using IContainerStreams? streams = context.QueryBool("stream") ? await _containers.AttachAsync(id, context.RequestAborted) : null;
        await using Stream client = await Hijack.AcceptAsync(context, tty);
        await PumpAsync(id, client, streams, replay, options, context.RequestAborted);
    }

    /// <summary>
    /// GET /containers/{id}/attach/ws: the same attach over a websocket, never multiplexed; each
    /// chunk of output is one message (binary from API 1.28, text before, as dockerd).
    /// </summary>
    private async Task AttachWebSocketAsync(HttpContext context)
    {
        string id = context.RouteValue("id");
        byte[] keys = DetachKeys.FromQuery(context.Request.Query["detachKeys"]);
        ContainerRecord record = CheckAttachable(id);
        AttachOptions options = OptionsOf(context, record, keys, multiplexed: false);
        LogSession? replay = context.QueryBool("logs") ? TryOpenReplay(id, options) : null;
        await using IContainerStreams? streams = context.QueryBool("stream") ? await _containers.AttachAsync(id, context.RequestAborted) : null;
        bool binary = context.ApiVersion() >= new Http.ApiVersion(1, 28);
        await using Stream client = await WebSocketHijack.AcceptAsync(context, binary);
        await PumpAsync(id, client, streams, replay, options, context.RequestAborted);
    }

    private ContainerRecord CheckAttachable(string id)
    {
        ContainerRecord record = _containers.Get(id);
        if (record.State.Paused)
        {
            throw DaemonException.Conflict(Messages.ContainerPausedAttach(id));
        }
        return record;
    }

    private static AttachOptions OptionsOf(HttpContext context, ContainerRecord record, byte[] keys, bool multiplexed) => new(
        // dockerd connects the client's input only to a container that keeps stdin open.
        Stdin: context.QueryBool("stdin") && record.Config.OpenStdin,
        Stdout: context.QueryBool("stdout"),
        Stderr: context.QueryBool("stderr"),
        Multiplexed: multiplexed,
        DetachKeys: record.Config.Tty ? keys : null,
        CloseStdin: record.Config.StdinOnce && !record.Config.Tty);

    private LogSession? TryOpenReplay(string id, AttachOptions options)
    {
        if (!options.Stdout && !options.Stderr)
        {
            return null;
        }
        try
        {
            return _logs.Open(id, new LogQuery { Stdout = options.Stdout, Stderr = options.Stderr });
        }
        catch (DaemonException e) when (e.Kind is ErrorKind.NotImplemented or ErrorKind.Conflict)
        {
            return null; // no log to replay (the none driver): the live stream still works
        }
    }

    private async Task PumpAsync(string id, Stream client, IContainerStreams? streams, LogSession? replay, AttachOptions options, CancellationToken cancellationToken)
    {
        try
        {
            if (replay is not null)
            {
                PipeWriter writer = PipeWriter.Create(client, new StreamPipeWriterOptions(leaveOpen: true));
                await replay.CopyToAsync(new DockerLogSink(writer, options.Multiplexed, timestamps: false, details: null), cancellationToken);
                await writer.CompleteAsync();
            }
            _containers.PublishAttachEvent(id, "attach");
            if (streams is null)
            {
                return;
            }
            AttachEnd end = await AttachPump.RunAsync(streams, client, options, cancellationToken);
            if (end == AttachEnd.Detached)
            {
                _containers.PublishAttachEvent(id, "detach");
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or ObjectDisposedException)
        {
            // the client went away during the replay
        }
    }

    /// <summary>since/until: "seconds[.nanos]" as dockerd's ParseTimestamps reads it; a bad value is its 500 with strconv's text.</summary>
    private static long? ParseTime(string? value, bool allowZero)
    {
        if (string.IsNullOrEmpty(value) || (!allowZero && value == "0"))
        {
            return null;
        }
        try
        {
            return EventTimestamps.ParseNanoseconds(value);
        }
        catch (DaemonException e)
        {
            throw DaemonException.System(e.Message);
        }
    }

    private static int Atoi(string? value) =>
        Engine.Containers.Logs.GoUnits.TryAtoi(value ?? "", out int n) ? n : throw DaemonException.InvalidParameter(Messages.StrconvSyntax("Atoi", value ?? ""));
}
