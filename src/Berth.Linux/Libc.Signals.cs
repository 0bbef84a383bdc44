using System.Runtime.InteropServices;

namespace Berth.Linux;

public static partial class Libc
{
    public const int SIGINT = 2;

    private const nint SigDfl = 0;
    private const nint SigIgn = 1;

    /// <summary>
    /// Sets a signal that the parent left ignored back to its default action, so a handler can be
    /// registered for it. A shell without job control starts background commands with SIGINT and
    /// SIGQUIT ignored, and .NET then never installs a SIGINT handler; dockerd (Go's signal.Notify)
    /// stops on SIGINT regardless. Returns whether the signal had been ignored.
    /// </summary>
    public static unsafe bool UnignoreSignal(int signal)
    {
        // struct sigaction begins with the handler pointer on x86_64 and arm64; the buffer covers the rest.
        byte* current = stackalloc byte[256];
        if (SigactionNative(signal, null, current) != 0 || *(nint*)current != SigIgn)
        {
            return false;
        }
        SignalNative(signal, SigDfl);
        return true;
    }

    [LibraryImport("libc", EntryPoint = "sigaction")]
    private static unsafe partial int SigactionNative(int signal, void* action, void* previous);

    [LibraryImport("libc", EntryPoint = "signal")]
    private static partial nint SignalNative(int signal, nint handler);
}
