using System.Runtime.InteropServices;

namespace Berth.Linux;

/// <summary>Which secondary syscall ABIs the running kernel accepts.</summary>
public static partial class SyscallAbis
{
    /// <summary>Set in the syscall number of an x32-ABI call on x86_64.</summary>
    private const long X32SyscallBit = 0x40000000;
    private const long GetPid = 39;

    /// <summary>
    /// True when the kernel executes x32-ABI syscalls (CONFIG_X86_X32_ABI and not disabled at
    /// boot). Probed with getpid through the x32 entry: a kernel without x32 answers ENOSYS.
    /// Only meaningful on x86_64; false elsewhere.
    /// </summary>
    public static bool X32Supported()
    {
        if (RuntimeInformation.OSArchitecture != Architecture.X64)
        {
            return false;
        }
        return Syscall0(X32SyscallBit | GetPid) == Environment.ProcessId;
    }

    [LibraryImport("libc", EntryPoint = "syscall")]
    private static partial long Syscall0(long number);
}
