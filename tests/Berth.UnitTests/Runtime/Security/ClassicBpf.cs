using System.Buffers.Binary;

namespace Berth.UnitTests.Runtime.Security;

/// <summary>
/// A classic BPF interpreter for seccomp programs (struct sock_filter[], little endian) run
/// against a struct seccomp_data, so tests can ask what a compiled program answers for a
/// syscall without loading it into a kernel. It knows only the instructions our programs use
/// (libseccomp 2.5 emits no scratch-memory, X-register or ALU ops but AND) and refuses anything
/// else; it also refuses what the kernel's checker would (loads outside seccomp_data, control
/// leaving the program).
/// </summary>
internal static class ClassicBpf
{
    public const uint RetAllow = 0x7fff0000;
    public const uint RetEperm = 0x00050001;
    public const uint RetEnosys = 0x00050026;
    public const uint RetKillThread = 0x00000000;
    public const uint RetKillProcess = 0x80000000;

    public const uint AuditX86_64 = 0xC000003E;
    public const uint AuditI386 = 0x40000003;
    public const uint AuditAarch64 = 0xC00000B7;
    public const uint X32Bit = 1u << 30;

    private const int SeccompDataSize = 64; // nr, arch, instruction_pointer, args[6]
    private const int MaxInstructions = 4096; // BPF_MAXINSNS

    public static byte[] Instruction(ushort code, byte jt, byte jf, uint k)
    {
        var bytes = new byte[8];
        BinaryPrimitives.WriteUInt16LittleEndian(bytes, code);
        bytes[2] = jt;
        bytes[3] = jf;
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(4), k);
        return bytes;
    }

    /// <summary>The one-instruction filter the stub tests put after the stub: allow everything.</summary>
    public static byte[] ReturnAllow => Instruction(0x06, 0, 0, RetAllow);

    /// <summary>The distinct opcodes of a program, to see what an emitter uses.</summary>
    public static SortedSet<ushort> Opcodes(ReadOnlySpan<byte> program)
    {
        var codes = new SortedSet<ushort>();
        for (int i = 0; i + 8 <= program.Length; i += 8)
        {
            codes.Add(BinaryPrimitives.ReadUInt16LittleEndian(program[i..]));
        }
        return codes;
    }

    /// <summary>The kernel's static checks (bpf_check_classic): length, every jump inside the program, a return at the end.</summary>
    public static void Check(ReadOnlySpan<byte> program)
    {
        if (program.Length == 0 || program.Length % 8 != 0 || program.Length / 8 > MaxInstructions)
        {
            throw new InvalidOperationException($"bad program length {program.Length}");
        }
        int count = program.Length / 8;
        for (int pc = 0; pc < count; pc++)
        {
            ReadOnlySpan<byte> slot = program.Slice(pc * 8, 8);
            ushort code = BinaryPrimitives.ReadUInt16LittleEndian(slot);
            if ((code & 0x07) != 0x05)
            {
                continue; // not a jump
            }
            long furthest = code == 0x05 ? BinaryPrimitives.ReadUInt32LittleEndian(slot[4..]) : Math.Max(slot[2], slot[3]);
            if (pc + 1 + furthest >= count)
            {
                throw new InvalidOperationException($"jump at pc {pc} leaves the program");
            }
        }
        if ((BinaryPrimitives.ReadUInt16LittleEndian(program[^8..]) & 0x07) != 0x06)
        {
            throw new InvalidOperationException("the program does not end in a return");
        }
    }

    /// <summary>What the program returns for syscall <paramref name="nr"/> on <paramref name="arch"/> (an AUDIT_ARCH value).</summary>
    public static uint Run(ReadOnlySpan<byte> program, uint arch, uint nr, params ulong[] args)
    {
        Check(program);
        if (args.Length > 6)
        {
            throw new ArgumentException("seccomp_data has six arguments", nameof(args));
        }
        Span<byte> data = stackalloc byte[SeccompDataSize];
        BinaryPrimitives.WriteUInt32LittleEndian(data, nr);
        BinaryPrimitives.WriteUInt32LittleEndian(data[4..], arch);
        BinaryPrimitives.WriteUInt64LittleEndian(data[8..], 0x7f0000001000); // instruction_pointer: arbitrary
        for (int i = 0; i < args.Length; i++)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(data[(16 + 8 * i)..], args[i]);
        }

        int count = program.Length / 8;
        uint a = 0;
        int pc = 0;
        while (true)
        {
            if (pc < 0 || pc >= count)
            {
                throw new InvalidOperationException($"control left the program at {pc} (of {count})");
            }
            ReadOnlySpan<byte> slot = program.Slice(pc * 8, 8);
            ushort code = BinaryPrimitives.ReadUInt16LittleEndian(slot);
            byte jt = slot[2], jf = slot[3];
            uint k = BinaryPrimitives.ReadUInt32LittleEndian(slot[4..]);
            pc++;
            switch (code)
            {
                case 0x20: // ld [k]: BPF_LD | BPF_W | BPF_ABS
                    if (k % 4 != 0 || k > SeccompDataSize - 4)
                    {
                        throw new InvalidOperationException($"load at {k} outside seccomp_data (pc {pc - 1})");
                    }
                    a = BinaryPrimitives.ReadUInt32LittleEndian(data[(int)k..]);
                    break;
                case 0x54: // and #k: BPF_ALU | BPF_AND | BPF_K
                    a &= k;
                    break;
                case 0x05: // ja k
                    pc += (int)Math.Min(k, int.MaxValue);
                    break;
                case 0x15: // jeq #k
                    pc += a == k ? jt : jf;
                    break;
                case 0x25: // jgt #k
                    pc += a > k ? jt : jf;
                    break;
                case 0x35: // jge #k
                    pc += a >= k ? jt : jf;
                    break;
                case 0x45: // jset #k
                    pc += (a & k) != 0 ? jt : jf;
                    break;
                case 0x06: // ret #k
                    return k;
                default:
                    throw new InvalidOperationException($"opcode 0x{code:x2} at pc {pc - 1} is not known to this interpreter");
            }
        }
    }
}
