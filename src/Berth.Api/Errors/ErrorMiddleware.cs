using Berth.Api.Http;
using Berth.Api.Models;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Berth.Api.Errors;

/// <summary>
/// Turns exceptions into dockerd's <c>{"message": "..."}</c> bodies, logs requests at debug and
/// server errors at error level. A client that went away is not an error (logged as 499 at info).
/// </summary>
public sealed partial class ErrorMiddleware
{
    private readonly RequestDelegate _next;
    private readonly ILogger _logger;

    public ErrorMiddleware(RequestDelegate next, ILogger<ErrorMiddleware> logger)
    {
        _next = next;
        _logger = logger;
    }

    public async Task InvokeAsync(HttpContext context)
    {
        LogRequest(_logger, context.Request.Method, context.Request.Path.Value, context.Request.QueryString.Value);
        try
        {
            await _next(context);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            LogClientGone(_logger, context.Request.Method, context.Request.Path.Value);
            return;
        }
        catch (Exception error)
        {
            int status = ErrorStatusMap.StatusOf(error);
            if (status >= 500 && error is Berth.Engine.Errors.DaemonException)
            {
                // An expected failure with a kind: its message says it all, no stack trace.
                LogServerFailure(_logger, context.Request.Method, context.Request.Path.Value, status, error.Message);
            }
            else if (status >= 500)
            {
                LogServerError(_logger, error, context.Request.Method, context.Request.Path.Value, status);
            }
            if (context.Response.HasStarted)
            {
                // Mid-stream failures cannot change the status; close the connection instead.
                context.Abort();
                return;
            }
            context.Response.Clear();
            context.Response.StatusCode = status;
            if (status != StatusCodes.Status304NotModified)
            {
                await context.WriteJsonAsync(new ErrorResponse(error.Message), ApiJson.Api.ErrorResponse, status);
            }
        }
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Debug, Message = "Calling {Method} {Path}{Query}")]
    private static partial void LogRequest(ILogger logger, string method, string? path, string? query);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "{Method} {Path}: client disconnected (499)")]
    private static partial void LogClientGone(ILogger logger, string method, string? path);

    [LoggerMessage(EventId = 3, Level = LogLevel.Error, Message = "Handler for {Method} {Path} returned error (status {Status})")]
    private static partial void LogServerError(ILogger logger, Exception error, string method, string? path, int status);

    [LoggerMessage(EventId = 4, Level = LogLevel.Error, Message = "Handler for {Method} {Path} returned error (status {Status}): {Reason}")]
    private static partial void LogServerFailure(ILogger logger, string method, string? path, int status, string reason);
}
