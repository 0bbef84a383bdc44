using System.Runtime.InteropServices;

namespace Berth.Linux;

/// <summary>The libc calls .NET does not wrap. Source-generated marshalling keeps them NativeAOT-safe.</summary>
public static partial class Libc
{
    [LibraryImport("libc", EntryPoint = "chown", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int ChownNative(string path, uint owner, uint group);

    [LibraryImport("libc", EntryPoint = "getpid")]
    private static partial int GetPidNative();

    /// <summary>chown(2); owner or group of uint.MaxValue (-1) leaves that id unchanged.</summary>
    public static void Chown(string path, uint owner, uint group)
    {
        if (ChownNative(path, owner, group) != 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            throw new IOException($"chown {path}: {Marshal.GetPInvokeErrorMessage(errno)}");
        }
    }

    public static int GetPid() => GetPidNative();
}
