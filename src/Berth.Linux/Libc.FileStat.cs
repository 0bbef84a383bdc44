namespace Berth.Linux;

public static partial class Libc
{
    /// <summary>
    /// Identity and size of a path in one stat(2), null when it does not exist. st_size sits at
    /// byte 48 of struct stat on both x86_64 and arm64. Allocation-free: log rotation checks the
    /// size on every change event of a busy log.
    /// </summary>
    public static unsafe (ulong Device, ulong Inode, long Size)? FileStat(string path)
    {
        byte* buffer = stackalloc byte[256];
        return StatNative(path, buffer) == 0 ? (*(ulong*)buffer, *(ulong*)(buffer + 8), *(long*)(buffer + 48)) : null;
    }
}
