namespace Berth.Engine.Errors;

/// <summary>
/// What went wrong, independent of transport. The API edge maps each kind to one HTTP
/// status in a single place (Berth.Api.Errors.ErrorStatusMap), as moby's errdefs do.
/// </summary>
public enum ErrorKind
{
    System = 0,
    NotFound,
    InvalidParameter,
    Conflict,
    Unauthorized,
    Forbidden,
    Unavailable,
    NotModified,
    NotImplemented,
}
