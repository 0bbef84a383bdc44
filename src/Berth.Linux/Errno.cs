using System.Runtime.InteropServices;

namespace Berth.Linux;

/// <summary>A failed system call with its errno, so callers can branch on EEXIST/ENOENT without parsing text.</summary>
public sealed class ErrnoException : IOException
{
    public ErrnoException(string operation, int errno)
        : base($"{operation}: {Marshal.GetPInvokeErrorMessage(errno)}")
    {
        Errno = errno;
        HResult = errno;
    }

    public int Errno { get; }

    internal static ErrnoException Last(string operation) => new(operation, Marshal.GetLastPInvokeError());
}

/// <summary>The errno values Berth branches on (identical on x86_64 and arm64).</summary>
public static class Errnos
{
    public const int EPERM = 1;
    public const int ENOENT = 2;
    public const int EINTR = 4;
    public const int EBADF = 9;
    public const int EAGAIN = 11;
    public const int EEXIST = 17;
    public const int EXDEV = 18;
    public const int ENOTDIR = 20;
    public const int EISDIR = 21;
    public const int EINVAL = 22;
    public const int ENOSPC = 28;
    public const int EBUSY = 16;
    public const int ELOOP = 40;
    public const int ENOSYS = 38;
    public const int ENOTEMPTY = 39;
    public const int ENODATA = 61;
    public const int EOPNOTSUPP = 95;
}
