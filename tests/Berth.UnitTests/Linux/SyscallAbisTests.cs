using System.IO.Compression;
using Berth.Linux;

namespace Berth.UnitTests.Linux;

public class SyscallAbisTests
{
    /// <summary>The probe must agree with the kernel's own build config where the kernel exposes it.</summary>
    [Fact]
    public void X32ProbeAgreesWithKernelConfig()
    {
        if (!File.Exists("/proc/config.gz"))
        {
            return; // nothing to compare with on this host
        }
        using var gz = new GZipStream(File.OpenRead("/proc/config.gz"), CompressionMode.Decompress);
        using var reader = new StreamReader(gz);
        bool built = reader.ReadToEnd().Split('\n').Contains("CONFIG_X86_X32_ABI=y");
        // Built in but disabled at boot (syscall.x32=n) also answers ENOSYS: only "not built" is certain.
        if (!built)
        {
            Assert.False(SyscallAbis.X32Supported());
        }
    }
}
