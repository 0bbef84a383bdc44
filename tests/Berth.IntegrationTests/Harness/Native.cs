using System.Runtime.InteropServices;

namespace Berth.IntegrationTests.Harness;

/// <summary>kill(2): .NET's Process.Kill only sends SIGKILL; the tests need SIGTERM and SIGHUP.</summary>
public static partial class Native
{
    public const int SIGHUP = 1;
    public const int SIGINT = 2;
    public const int SIGKILL = 9;
    public const int SIGTERM = 15;

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int KillNative(int pid, int signal);

    /// <summary>Sends <paramref name="signal"/> to <paramref name="pid"/>; throws on failure.</summary>
    public static void Kill(int pid, int signal)
    {
        if (KillNative(pid, signal) != 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            throw new InvalidOperationException($"kill({pid}, {signal}): {Marshal.GetPInvokeErrorMessage(errno)}");
        }
    }
}
