using System.Runtime.InteropServices;

namespace Berth.UnitTests.Runtime.Security;

/// <summary>Why tests that compile with the host's libseccomp cannot run here, or null when they can.</summary>
internal static class LibseccompAvailability
{
    public static readonly string? SkipReason = Find();

    private static string? Find()
    {
        if (RuntimeInformation.ProcessArchitecture != Architecture.X64)
        {
            return "the expectations are x86_64's (libseccomp always adds the native architecture)";
        }
        if (!NativeLibrary.TryLoad("libseccomp.so.2", out IntPtr handle))
        {
            return "libseccomp.so.2 is not installed (conmon and crun depend on it; scripts/install-deps.sh)";
        }
        NativeLibrary.Free(handle);
        return null;
    }
}

/// <summary>A [Fact] skipped where libseccomp.so.2 cannot be loaded or the host is not x86_64.</summary>
public sealed class LibseccompFactAttribute : FactAttribute
{
    public LibseccompFactAttribute()
    {
        if (LibseccompAvailability.SkipReason is { } reason)
        {
            Skip = reason;
        }
    }
}

/// <summary>A [Theory] skipped where libseccomp.so.2 cannot be loaded or the host is not x86_64.</summary>
public sealed class LibseccompTheoryAttribute : TheoryAttribute
{
    public LibseccompTheoryAttribute()
    {
        if (LibseccompAvailability.SkipReason is { } reason)
        {
            Skip = reason;
        }
    }
}
