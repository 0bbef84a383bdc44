using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Berth.Linux;

/// <summary>struct scmp_arg_cmp: argument index, comparison (SCMP_CMP_*), operands.</summary>
[StructLayout(LayoutKind.Sequential)]
public readonly record struct SeccompArgCondition(uint Arg, int Op, ulong DatumA, ulong DatumB);

/// <summary>
/// A libseccomp filter context (libseccomp.so.2, the library runc and crun compile with), used
/// only to build and export programs: nothing here loads a filter into this process.
/// Methods return libseccomp's codes (0 or a negative errno).
/// </summary>
public sealed partial class LibSeccomp : IDisposable
{
    private const string Library = "libseccomp.so.2";
    private nint _context;

    /// <exception cref="DllNotFoundException">libseccomp is not installed.</exception>
    public LibSeccomp(uint defaultAction)
    {
        _context = Init(defaultAction);
        if (_context == 0)
        {
            throw new InvalidOperationException("seccomp_init refused the default action");
        }
    }

    /// <summary>The architecture token for a libseccomp name ("x86_64"), 0 when unknown.</summary>
    public static uint ResolveArchitecture(string name) => ArchResolveName(name);

    /// <summary>The native syscall number for a name, negative when this libseccomp does not know it.</summary>
    public static int ResolveSyscall(string name) => SyscallResolveName(name);

    /// <summary>A syscall's number on one architecture, negative when absent there or unknown.</summary>
    public static int ResolveSyscall(uint architecture, string name) => SyscallResolveNameArch(architecture, name);

    /// <summary>The token of the architecture this process runs on.</summary>
    public static uint NativeArchitecture() => ArchNative();

    public int AddArchitecture(uint token) => ArchAdd(_context, token);

    public unsafe int AddRule(uint action, int syscall, ReadOnlySpan<SeccompArgCondition> conditions)
    {
        fixed (SeccompArgCondition* pointer = conditions)
        {
            return RuleAddArray(_context, action, syscall, (uint)conditions.Length, pointer);
        }
    }

    public int Export(SafeFileHandle file) => ExportBpf(_context, (int)file.DangerousGetHandle());

    public void Dispose()
    {
        if (_context != 0)
        {
            Release(_context);
            _context = 0;
        }
    }

    [LibraryImport(Library, EntryPoint = "seccomp_init")]
    private static partial nint Init(uint defaultAction);

    [LibraryImport(Library, EntryPoint = "seccomp_release")]
    private static partial void Release(nint context);

    [LibraryImport(Library, EntryPoint = "seccomp_arch_resolve_name", StringMarshalling = StringMarshalling.Utf8)]
    private static partial uint ArchResolveName(string name);

    [LibraryImport(Library, EntryPoint = "seccomp_arch_add")]
    private static partial int ArchAdd(nint context, uint token);

    [LibraryImport(Library, EntryPoint = "seccomp_syscall_resolve_name", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int SyscallResolveName(string name);

    [LibraryImport(Library, EntryPoint = "seccomp_syscall_resolve_name_arch", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int SyscallResolveNameArch(uint architecture, string name);

    [LibraryImport(Library, EntryPoint = "seccomp_arch_native")]
    private static partial uint ArchNative();

    [LibraryImport(Library, EntryPoint = "seccomp_rule_add_array")]
    private static unsafe partial int RuleAddArray(nint context, uint action, int syscall, uint count, SeccompArgCondition* conditions);

    [LibraryImport(Library, EntryPoint = "seccomp_export_bpf")]
    private static partial int ExportBpf(nint context, int fd);
}
