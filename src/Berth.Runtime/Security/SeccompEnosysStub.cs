using System.Buffers.Binary;

namespace Berth.Runtime.Security;

/// <summary>
/// The prologue runc puts in front of every seccomp program it loads: a syscall numbered past
/// the largest one the profile names (per architecture) gets ENOSYS instead of the profile's
/// default action, so a program probing a syscall newer than the profile falls back as it
/// would on an older kernel instead of failing on EPERM. Pure: classic BPF instructions.
/// </summary>
public static class SeccompEnosysStub
{
    public const uint AuditArchX86_64 = 0xC000003E;
    public const uint ScmpArchX32 = 0x4000003E; // libseccomp's token; the kernel reports x32 as x86_64 plus bit 30
    private const uint X32Bit = 1u << 30;
    private const uint RetErrnoEnosys = 0x00050000 | 38;

    private const ushort LdAbsW = 0x20;  // BPF_LD | BPF_W | BPF_ABS
    private const ushort Ja = 0x05;      // BPF_JMP | BPF_JA
    private const ushort Jeq = 0x15;     // BPF_JMP | BPF_JEQ | BPF_K
    private const ushort Jgt = 0x25;     // BPF_JMP | BPF_JGT | BPF_K
    private const ushort Jset = 0x45;    // BPF_JMP | BPF_JSET | BPF_K
    private const ushort RetK = 0x06;    // BPF_RET | BPF_K

    /// <summary>One architecture of the profile: its libseccomp token and the largest syscall number the profile names on it.</summary>
    public readonly record struct ArchLimit(uint Token, uint LargestSyscall);

    /// <summary>The kernel's AUDIT_ARCH for a libseccomp token (they are equal but for x32).</summary>
    public static uint AuditArch(uint token) => token == ScmpArchX32 ? AuditArchX86_64 : token;

    /// <summary>The stub's bytes (struct sock_filter[]) to put before the program; empty when none is needed.</summary>
    public static byte[] Build(IReadOnlyList<ArchLimit> limits)
    {
        // Sections per kernel architecture: x86_64 and x32 share one, told apart by bit 30.
        var sections = limits.GroupBy(l => AuditArch(l.Token)).Select(g => (Audit: g.Key, Limits: g.ToList())).ToList();
        if (sections.Count == 0)
        {
            return [];
        }
        var sectionCode = sections.Select(s => Section(s.Audit, s.Limits)).ToList();
        // Layout: ld arch; one jeq per section; ja filter; the sections; ret ENOSYS; (the filter).
        int headerLength = 1 + sections.Count + 1;
        int total = headerLength + sectionCode.Sum(c => c.Count) + 1;
        int enosys = total - 1;
        var program = new List<Instruction> { new(LdAbsW, 0, 0, 4) };
        int sectionStart = headerLength;
        for (int i = 0; i < sections.Count; i++)
        {
            int pc = program.Count;
            program.Add(new Instruction(Jeq, Offset(pc, sectionStart), 0, sections[i].Audit));
            sectionStart += sectionCode[i].Count;
        }
        program.Add(new Instruction(Ja, 0, 0, (uint)(total - program.Count - 1)));
        foreach (List<Instruction> code in sectionCode)
        {
            foreach (Instruction instruction in code)
            {
                // Sections are built with symbolic targets: 0xff = ENOSYS, 0xfe = the filter (via the section's last ja).
                int pc = program.Count;
                program.Add(instruction with
                {
                    TrueOffset = instruction.TrueOffset == 0xff ? Offset(pc, enosys) : instruction.TrueOffset,
                    Constant = instruction.Code == Ja ? (uint)(total - pc - 1) : instruction.Constant,
                });
            }
        }
        program.Add(new Instruction(RetK, 0, 0, RetErrnoEnosys));
        var bytes = new byte[program.Count * 8];
        for (int i = 0; i < program.Count; i++)
        {
            Span<byte> slot = bytes.AsSpan(i * 8, 8);
            BinaryPrimitives.WriteUInt16LittleEndian(slot, program[i].Code);
            slot[2] = program[i].TrueOffset;
            slot[3] = program[i].FalseOffset;
            BinaryPrimitives.WriteUInt32LittleEndian(slot[4..], program[i].Constant);
        }
        return bytes;
    }

    /// <summary>ld nr; the checks; ja filter. True offsets of 0xff mean "to ENOSYS"; the ja's target is filled in later.</summary>
    private static List<Instruction> Section(uint audit, List<ArchLimit> limits)
    {
        var code = new List<Instruction> { new(LdAbsW, 0, 0, 0) };
        ArchLimit? x32 = null, main = null;
        foreach (ArchLimit limit in limits)
        {
            if (limit.Token == ScmpArchX32)
            {
                x32 = limit;
            }
            else
            {
                main = limit;
            }
        }
        if (audit == AuditArchX86_64 && x32 is { } x && main is { } m)
        {
            code.Add(new Instruction(Jset, 1, 0, X32Bit));            // x32 call: to its own check
            code.Add(new Instruction(Jgt, 0xff, 1, m.LargestSyscall)); // x86_64 past the end: ENOSYS, else skip the x32 check
            code.Add(new Instruction(Jgt, 0xff, 0, x.LargestSyscall));
        }
        else
        {
            ArchLimit only = main ?? x32!.Value;
            if (audit == AuditArchX86_64)
            {
                // Only one of the two modes is in the profile: the other mode's calls go straight to the filter.
                code.Add(new Instruction(Jset, only.Token == ScmpArchX32 ? (byte)0 : (byte)1, only.Token == ScmpArchX32 ? (byte)1 : (byte)0, X32Bit));
            }
            code.Add(new Instruction(Jgt, 0xff, 0, only.LargestSyscall));
        }
        code.Add(new Instruction(Ja, 0, 0, 0));
        return code;
    }

    private static byte Offset(int pc, int target)
    {
        int offset = target - pc - 1;
        if (offset is < 0 or > 254)
        {
            throw new InvalidOperationException($"seccomp stub jump out of range ({offset})");
        }
        return (byte)offset;
    }

    private readonly record struct Instruction(ushort Code, byte TrueOffset, byte FalseOffset, uint Constant);
}
