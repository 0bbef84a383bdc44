using Berth.Engine.Errors;
using Microsoft.AspNetCore.Http;

namespace Berth.Api.Errors;

/// <summary>The one place where error kinds become HTTP status codes (moby's httpstatus.FromError).</summary>
public static class ErrorStatusMap
{
    public static int StatusOf(ErrorKind kind) => kind switch
    {
        ErrorKind.NotFound => StatusCodes.Status404NotFound,
        ErrorKind.InvalidParameter => StatusCodes.Status400BadRequest,
        ErrorKind.Conflict => StatusCodes.Status409Conflict,
        ErrorKind.Unauthorized => StatusCodes.Status401Unauthorized,
        ErrorKind.Forbidden => StatusCodes.Status403Forbidden,
        ErrorKind.Unavailable => StatusCodes.Status503ServiceUnavailable,
        ErrorKind.NotModified => StatusCodes.Status304NotModified,
        ErrorKind.NotImplemented => StatusCodes.Status501NotImplemented,
        _ => StatusCodes.Status500InternalServerError,
    };

    public static int StatusOf(Exception error) => error switch
    {
        BadHttpRequestException bad => bad.StatusCode,
        _ => StatusOf(DaemonException.KindOf(error)),
    };
}
