using Berth.Runtime.Security;
using static Berth.UnitTests.Runtime.Security.ClassicBpf;
using Limit = Berth.Runtime.Security.SeccompEnosysStub.ArchLimit;

namespace Berth.UnitTests.Runtime.Security;

public class SeccompEnosysStubTests
{
    private const uint TokenX86_64 = 0xC000003E; // libseccomp's tokens are the AUDIT_ARCH values…
    private const uint TokenI386 = 0x40000003;
    private const uint TokenAarch64 = 0xC00000B7;
    private const uint TokenX32 = 0x4000003E; // …but for x32

    private const uint LastX86_64 = 450;
    private const uint LastI386 = 449;
    private const uint LastX32 = X32Bit | 547; // libseccomp numbers x32 calls with the x32 bit set

    /// <summary>The stub followed by a filter that allows everything: ENOSYS can only come from the stub.</summary>
    private static byte[] WithTail(params Limit[] limits) => [.. SeccompEnosysStub.Build(limits), .. ReturnAllow];

    private static uint Eval(byte[] program, uint arch, uint nr) => Run(program, arch, nr);

    [Fact]
    public void NoArchitectures_NoStub() => Assert.Empty(SeccompEnosysStub.Build([]));

    [Fact]
    public void StubIsWholeInstructions_EndsInEnosys_AndPassesTheKernelChecks()
    {
        byte[] stub = SeccompEnosysStub.Build([new Limit(TokenX86_64, LastX86_64), new Limit(TokenI386, LastI386), new Limit(TokenX32, LastX32)]);
        Assert.Equal(0, stub.Length % 8);
        Assert.Equal(Instruction(0x06, 0, 0, RetEnosys), stub[^8..]);
        Check([.. stub, .. ReturnAllow]); // its "to the filter" jumps land just past its end
        Check(WithTail(new Limit(TokenX86_64, LastX86_64)));
        Check(WithTail(new Limit(TokenX32, LastX32)));
    }

    [Theory]
    [InlineData(AuditX86_64, 0u, RetAllow)]
    [InlineData(AuditX86_64, LastX86_64, RetAllow)]
    [InlineData(AuditX86_64, LastX86_64 + 1, RetEnosys)]
    [InlineData(AuditX86_64, 999u, RetEnosys)]
    [InlineData(AuditX86_64, X32Bit - 1, RetEnosys)]
    [InlineData(AuditI386, 0u, RetAllow)]
    [InlineData(AuditI386, LastI386, RetAllow)]
    [InlineData(AuditI386, LastI386 + 1, RetEnosys)]
    [InlineData(AuditI386, uint.MaxValue, RetEnosys)]
    public void X86_64AndI386_PastTheLastKnownCallIsEnosys(uint arch, uint nr, uint expected)
    {
        byte[] program = WithTail(new Limit(TokenX86_64, LastX86_64), new Limit(TokenI386, LastI386));
        Assert.Equal(expected, Eval(program, arch, nr));
    }

    [Fact]
    public void SectionOrderDoesNotMatter()
    {
        byte[] a = WithTail(new Limit(TokenX86_64, LastX86_64), new Limit(TokenI386, LastI386));
        byte[] b = WithTail(new Limit(TokenI386, LastI386), new Limit(TokenX86_64, LastX86_64));
        foreach (uint arch in new[] { AuditX86_64, AuditI386, AuditAarch64 })
        {
            foreach (uint nr in new uint[] { 0, LastI386, LastI386 + 1, LastX86_64, LastX86_64 + 1, X32Bit | 1 })
            {
                Assert.Equal(Eval(a, arch, nr), Eval(b, arch, nr));
            }
        }
    }

    [Theory]
    [InlineData(0u)]
    [InlineData(LastX86_64 + 1)]
    [InlineData(X32Bit)]
    [InlineData(X32Bit | 39)]
    [InlineData(X32Bit | 999)]
    [InlineData(uint.MaxValue)] // syscall(-1): bit 30 is set, so it counts as an x32 call
    public void X86_64Only_X32CallsGoToTheFilter(uint nr)
    {
        byte[] program = WithTail(new Limit(TokenX86_64, LastX86_64));
        uint expected = nr == LastX86_64 + 1 ? RetEnosys : RetAllow;
        Assert.Equal(expected, Eval(program, AuditX86_64, nr));
    }

    [Theory]
    [InlineData(0u, RetAllow)]
    [InlineData(LastX86_64, RetAllow)]
    [InlineData(LastX86_64 + 1, RetEnosys)]
    [InlineData(X32Bit, RetAllow)]
    [InlineData(LastX32, RetAllow)]
    [InlineData(LastX32 + 1, RetEnosys)]
    [InlineData(X32Bit | 999, RetEnosys)]
    public void X86_64AndX32_EachModeHasItsOwnLimit(uint nr, uint expected)
    {
        // Both tokens share AUDIT_ARCH_X86_64: one section, split on the x32 bit.
        byte[] program = WithTail(new Limit(TokenX86_64, LastX86_64), new Limit(TokenX32, LastX32), new Limit(TokenI386, LastI386));
        Assert.Equal(expected, Eval(program, AuditX86_64, nr));
        byte[] reversed = WithTail(new Limit(TokenX32, LastX32), new Limit(TokenI386, LastI386), new Limit(TokenX86_64, LastX86_64));
        Assert.Equal(expected, Eval(reversed, AuditX86_64, nr));
        Assert.Equal(RetEnosys, Eval(program, AuditI386, LastI386 + 1));
    }

    [Theory]
    [InlineData(0u, RetAllow)]
    [InlineData(999u, RetAllow)] // a 64-bit call while only x32 is in the profile: the filter decides
    [InlineData(LastX32, RetAllow)]
    [InlineData(LastX32 + 1, RetEnosys)]
    public void X32Only_NativeCallsGoToTheFilter(uint nr, uint expected) =>
        Assert.Equal(expected, Eval(WithTail(new Limit(TokenX32, LastX32)), AuditX86_64, nr));

    [Theory]
    [InlineData(AuditAarch64)]
    [InlineData(0xC00000F3u)] // riscv64
    [InlineData(0u)]
    public void ArchitectureNotInTheStub_GoesToTheFilter(uint arch)
    {
        byte[] program = WithTail(new Limit(TokenX86_64, LastX86_64), new Limit(TokenI386, LastI386), new Limit(TokenX32, LastX32));
        foreach (uint nr in new uint[] { 0, LastX86_64 + 1, 9999, X32Bit | 999, uint.MaxValue })
        {
            Assert.Equal(RetAllow, Eval(program, arch, nr));
        }
    }

    [Fact]
    public void OtherArchitectures_GetTheirOwnSection()
    {
        byte[] program = WithTail(new Limit(TokenAarch64, 293), new Limit(TokenX86_64, LastX86_64));
        Assert.Equal(RetAllow, Eval(program, AuditAarch64, 293));
        Assert.Equal(RetEnosys, Eval(program, AuditAarch64, 294));
        // aarch64 has no x32-style bit: a large number is just past the end.
        Assert.Equal(RetEnosys, Eval(program, AuditAarch64, X32Bit | 1));
        Assert.Equal(RetAllow, Eval(program, AuditX86_64, 294));
    }

    [Fact]
    public void AuditArch_IsTheTokenButForX32()
    {
        Assert.Equal(AuditX86_64, SeccompEnosysStub.AuditArch(TokenX32));
        Assert.Equal(AuditX86_64, SeccompEnosysStub.AuditArch(TokenX86_64));
        Assert.Equal(AuditI386, SeccompEnosysStub.AuditArch(TokenI386));
        Assert.Equal(AuditAarch64, SeccompEnosysStub.AuditArch(TokenAarch64));
    }
}
