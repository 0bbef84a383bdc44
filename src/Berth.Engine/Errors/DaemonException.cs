namespace Berth.Engine.Errors;

/// <summary>
/// An error with a kind. Wrapping keeps the kind: <see cref="KindOf"/> walks inner exceptions,
/// so adding context never turns a 404 into a 500.
/// </summary>
public class DaemonException : Exception
{
    public DaemonException(ErrorKind kind, string message, Exception? inner = null)
        : base(message, inner)
    {
        Kind = kind;
    }

    public ErrorKind Kind { get; }

    public static DaemonException NotFound(string message) => new(ErrorKind.NotFound, message);
    public static DaemonException InvalidParameter(string message) => new(ErrorKind.InvalidParameter, message);
    public static DaemonException Conflict(string message) => new(ErrorKind.Conflict, message);
    public static DaemonException Unavailable(string message) => new(ErrorKind.Unavailable, message);
    public static DaemonException NotImplemented(string message) => new(ErrorKind.NotImplemented, message);
    public static DaemonException Forbidden(string message) => new(ErrorKind.Forbidden, message);
    public static DaemonException Unauthorized(string message) => new(ErrorKind.Unauthorized, message);
    public static DaemonException System(string message, Exception? inner = null) => new(ErrorKind.System, message, inner);

    /// <summary>The kind of the first <see cref="DaemonException"/> in the chain, else System.</summary>
    public static ErrorKind KindOf(Exception error)
    {
        for (Exception? e = error; e is not null; e = e.InnerException)
        {
            if (e is DaemonException d)
            {
                return d.Kind;
            }
        }
        return ErrorKind.System;
    }
}
