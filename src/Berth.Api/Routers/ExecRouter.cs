using System.Globalization;
using Berth.Api.Http;
using Berth.Api.Models;
using Berth.Api.Streams;
using Berth.Engine.Errors;
using Berth.Engine.Exec;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Berth.Api.Routers;

/// <summary>docker exec: create, start (hijacked or detached), inspect, resize (moby api/server/router/container/exec.go).</summary>
public sealed class ExecRouter : IRouter
{
    private static readonly ApiVersion ConsoleSizeVersion = new(1, 42);

    private readonly IExecService _execs;

    public ExecRouter(IExecService execs)
    {
        _execs = execs;
    }

    public void Map(IEndpointRouteBuilder routes)
    {
        routes.MapPost("/containers/{id}/exec", CreateAsync);
        routes.MapPost("/exec/{id}/start", StartAsync);
        routes.MapPost("/exec/{id}/resize", ResizeAsync);
        routes.MapGet("/exec/{id}/json", InspectAsync);
    }

    private async Task CreateAsync(HttpContext context)
    {
        var body = await context.ReadJsonAsync(ApiJson.Exec.ExecCreateWire) ?? new ExecCreateWire();
        byte[] keys = [];
        bool keysValid = string.IsNullOrEmpty(body.DetachKeys) || DetachKeys.TryParse(body.DetachKeys, out keys, out _);
        var options = new ExecCreateOptions
        {
            Cmd = body.Cmd ?? [],
            Env = body.Env ?? [],
            User = body.User ?? "",
            WorkingDir = body.WorkingDir ?? "",
            Privileged = body.Privileged,
            Tty = body.Tty,
            AttachStdin = body.AttachStdin,
            AttachStdout = body.AttachStdout,
            AttachStderr = body.AttachStderr,
            DetachKeys = keys,
            InvalidDetachKeys = keysValid ? null : body.DetachKeys,
            ConsoleSize = context.ApiVersion() >= ConsoleSizeVersion ? SizeOf(body.ConsoleSize) : null,
        };
        string id = _execs.Create(context.RouteValue("id"), options);
        await context.WriteJsonAsync(new ExecCreateResponseWire(id), ApiJson.Exec.ExecCreateResponseWire, StatusCodes.Status201Created);
    }

    /// <summary>
    /// Unknown exec and stopped container are plain HTTP errors; anything the start itself finds
    /// (already run, runtime errors) arrives inside the hijacked stream, as dockerd does.
    /// </summary>
    private async Task StartAsync(HttpContext context)
    {
        string id = context.RouteValue("id");
        var body = await UpgradeBody.ReadJsonAsync(context, ApiJson.Exec.ExecStartWire) ?? new ExecStartWire();
        _execs.EnsureStartable(id);
        ApiVersion version = context.ApiVersion();
        // No console without a TTY, and none before 1.42.
        ConsoleSize? size = body.Tty && version >= ConsoleSizeVersion ? SizeOf(body.ConsoleSize) : null;
        var options = new ExecStartOptions(body.Detach, size);
        if (body.Detach)
        {
            await _execs.StartAsync(id, options, context.RequestAborted);
            context.Response.StatusCode = StatusCodes.Status200OK;
            return;
        }
        // Before 1.42 dockerd labelled even multiplexed exec streams raw.
        bool raw = body.Tty || version < ConsoleSizeVersion;
        await using Stream client = await Hijack.AcceptAsync(context, raw);
        await ExecPump.RunAsync(client, _execs, id, options, body.Tty, context.RequestAborted);
    }

    private Task InspectAsync(HttpContext context)
    {
        ExecInspection e = _execs.Inspect(context.RouteValue("id"));
        var wire = new ExecInspectWire
        {
            ID = e.Id,
            Running = e.Running,
            ExitCode = e.ExitCode,
            ProcessConfig = new ExecProcessConfigWire
            {
                Tty = e.Tty,
                Entrypoint = e.Entrypoint,
                Arguments = e.Arguments,
                Privileged = e.Privileged,
                User = e.User.Length > 0 ? e.User : null,
            },
            OpenStdin = e.OpenStdin,
            OpenStderr = e.OpenStderr,
            OpenStdout = e.OpenStdout,
            CanRemove = e.CanRemove,
            ContainerID = e.ContainerId,
            DetachKeys = Convert.ToBase64String(e.DetachKeys),
            Pid = e.Pid,
        };
        return context.WriteJsonAsync(wire, ApiJson.Exec.ExecInspectWire);
    }

    private async Task ResizeAsync(HttpContext context)
    {
        int height = Atoi(context.Request.Query["h"]);
        int width = Atoi(context.Request.Query["w"]);
        await _execs.ResizeAsync(context.RouteValue("id"), height, width, context.RequestAborted);
        context.Response.StatusCode = StatusCodes.Status200OK;
    }

    /// <summary>Go's [2]uint decode: missing entries are zero, extra ones ignored.</summary>
    private static ConsoleSize? SizeOf(uint[]? size) =>
        size is null ? null : new ConsoleSize(size.ElementAtOrDefault(0), size.ElementAtOrDefault(1));

    /// <summary>strconv.Atoi with Go's error texts (dockerd returns them as 400).</summary>
    private static int Atoi(string? value)
    {
        string text = value ?? "";
        string digits = text.Length > 0 && text[0] is '+' or '-' ? text[1..] : text;
        if (digits.Length == 0 || !digits.All(char.IsAsciiDigit))
        {
            throw DaemonException.InvalidParameter(Messages.AtoiSyntax(text));
        }
        // Go's int is 64-bit; dockerd then narrows to uint32 for the runtime.
        return long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long n)
            ? unchecked((int)n)
            : throw DaemonException.InvalidParameter(Messages.AtoiRange(text));
    }
}
