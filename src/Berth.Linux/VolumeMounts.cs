using System.Runtime.InteropServices;

namespace Berth.Linux;

/// <summary>
/// mount(2)/umount2(2) for local volumes with driver options, plus the pure parsers around them
/// (the <c>o=</c> option string, /proc/self/mountinfo, /proc/filesystems). Kept apart from any
/// container mount code so the two can evolve without touching each other.
/// </summary>
public static partial class VolumeMounts
{
    public const ulong MsRdonly = 0x1;
    public const ulong MsNosuid = 0x2;
    public const ulong MsNodev = 0x4;
    public const ulong MsNoexec = 0x8;
    public const ulong MsSynchronous = 0x10;
    public const ulong MsRemount = 0x20;
    public const ulong MsMandlock = 0x40;
    public const ulong MsDirsync = 0x80;
    public const ulong MsNoatime = 0x400;
    public const ulong MsNodiratime = 0x800;
    public const ulong MsBind = 0x1000;
    public const ulong MsRec = 0x4000;
    public const ulong MsUnbindable = 0x20000;
    public const ulong MsPrivate = 0x40000;
    public const ulong MsSlave = 0x80000;
    public const ulong MsShared = 0x100000;
    public const ulong MsRelatime = 0x200000;
    public const ulong MsStrictatime = 0x1000000;

    private const int MntDetach = 0x2;
    private const int Einval = 22;

    /// <summary>
    /// The option words mount(8) turns into flags (moby's mount.parseOptions table). Value:
    /// (clear?, flag). Everything not in the table is filesystem data passed on verbatim.
    /// </summary>
    private static readonly Dictionary<string, (bool Clear, ulong Flag)> FlagWords = new(StringComparer.Ordinal)
    {
        ["defaults"] = (false, 0),
        ["ro"] = (false, MsRdonly),
        ["rw"] = (true, MsRdonly),
        ["suid"] = (true, MsNosuid),
        ["nosuid"] = (false, MsNosuid),
        ["dev"] = (true, MsNodev),
        ["nodev"] = (false, MsNodev),
        ["exec"] = (true, MsNoexec),
        ["noexec"] = (false, MsNoexec),
        ["sync"] = (false, MsSynchronous),
        ["async"] = (true, MsSynchronous),
        ["dirsync"] = (false, MsDirsync),
        ["remount"] = (false, MsRemount),
        ["mand"] = (false, MsMandlock),
        ["nomand"] = (true, MsMandlock),
        ["atime"] = (true, MsNoatime),
        ["noatime"] = (false, MsNoatime),
        ["diratime"] = (true, MsNodiratime),
        ["nodiratime"] = (false, MsNodiratime),
        ["bind"] = (false, MsBind),
        ["rbind"] = (false, MsBind | MsRec),
        ["unbindable"] = (false, MsUnbindable),
        ["runbindable"] = (false, MsUnbindable | MsRec),
        ["private"] = (false, MsPrivate),
        ["rprivate"] = (false, MsPrivate | MsRec),
        ["shared"] = (false, MsShared),
        ["rshared"] = (false, MsShared | MsRec),
        ["slave"] = (false, MsSlave),
        ["rslave"] = (false, MsSlave | MsRec),
        ["relatime"] = (false, MsRelatime),
        ["norelatime"] = (true, MsRelatime),
        ["strictatime"] = (false, MsStrictatime),
        ["nostrictatime"] = (true, MsStrictatime),
    };

    [LibraryImport("libc", EntryPoint = "mount", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int MountNative(string source, string target, string? fsType, ulong flags, string? data);

    [LibraryImport("libc", EntryPoint = "umount2", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Umount2Native(string target, int flags);

    /// <summary>Splits an <c>o=</c> string into mount flags and the filesystem data string.</summary>
    public static (ulong Flags, string Data) ParseOptions(string? options)
    {
        ulong flags = 0;
        var data = new List<string>();
        if (!string.IsNullOrEmpty(options))
        {
            foreach (var word in options.Split(','))
            {
                if (FlagWords.TryGetValue(word, out var f))
                {
                    flags = f.Clear ? flags & ~f.Flag : flags | f.Flag;
                }
                else if (word.Length > 0)
                {
                    data.Add(word);
                }
            }
        }
        return (flags, string.Join(',', data));
    }

    /// <summary>
    /// mount(2) with an <c>o=</c> option string. A read-only bind needs a second, remount call
    /// because the kernel ignores MS_RDONLY on the initial MS_BIND (moby's mount.Mount does the same).
    /// </summary>
    public static void Mount(string device, string target, string fsType, string? options)
    {
        var (flags, data) = ParseOptions(options);
        const ulong PropagationFlags = MsShared | MsPrivate | MsSlave | MsUnbindable;
        ulong first = flags & ~PropagationFlags;
        if (MountNative(device, target, fsType, first, data) != 0)
        {
            throw Error("mount", $"{device}:{target}, flags: 0x{first:x}, data: {data}");
        }
        if ((flags & MsBind) != 0 && (flags & MsRdonly) != 0)
        {
            ulong remount = MsBind | MsRemount | (flags & ~(PropagationFlags | MsRec));
            if (MountNative("", target, null, remount, null) != 0)
            {
                var error = Error("remount", $"{target}, flags: 0x{remount:x}");
                _ = Umount2Native(target, MntDetach);
                throw error;
            }
        }
        if ((flags & PropagationFlags) != 0 && MountNative("", target, null, flags & (PropagationFlags | MsRec), null) != 0)
        {
            var error = Error("mount propagation", target);
            _ = Umount2Native(target, MntDetach);
            throw error;
        }
    }

    /// <summary>umount2(2); EINVAL (not a mount point) counts as done, like moby's mount.Unmount.</summary>
    public static void Unmount(string target)
    {
        if (Umount2Native(target, 0) != 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            if (errno == Einval && !IsMountPoint(target))
            {
                return;
            }
            throw new IOException($"unmount {target}: {Marshal.GetPInvokeErrorMessage(errno)}");
        }
    }

    public static bool IsMountPoint(string path) => MountPoints().Contains(Path.TrimEndingDirectorySeparator(path));

    /// <summary>Mount points at or under <paramref name="path"/> (a volume must have none before its tree is deleted).</summary>
    public static IReadOnlyList<string> MountPointsUnder(string path)
    {
        string root = Path.TrimEndingDirectorySeparator(path);
        return MountPoints().Where(m => m == root || m.StartsWith(root + "/", StringComparison.Ordinal)).ToList();
    }

    public static HashSet<string> MountPoints() => ParseMountInfo(File.ReadAllText("/proc/self/mountinfo"));

    /// <summary>Field 5 of each mountinfo line, with the kernel's octal escapes (\040 etc.) undone.</summary>
    public static HashSet<string> ParseMountInfo(string text)
    {
        var result = new HashSet<string>(StringComparer.Ordinal);
        foreach (var line in text.Split('\n'))
        {
            var fields = line.Split(' ');
            if (fields.Length > 4)
            {
                result.Add(Unescape(fields[4]));
            }
        }
        return result;
    }

    /// <summary>Filesystem types the running kernel can mount now (/proc/filesystems) or load as a module.</summary>
    public static bool FilesystemAvailable(string fsType)
    {
        if (ParseFilesystems(SafeRead("/proc/filesystems")).Contains(fsType))
        {
            return true;
        }
        // Not registered yet, but mount(2) auto-loads fs modules (nfs, cifs, ...).
        string modules = Path.Combine("/lib/modules", HostFacts.KernelVersion(), "kernel", "fs");
        try
        {
            return Directory.Exists(modules) &&
                Directory.EnumerateFiles(modules, fsType + ".ko*", SearchOption.AllDirectories).Any();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    public static HashSet<string> ParseFilesystems(string text)
    {
        var result = new HashSet<string>(StringComparer.Ordinal);
        foreach (var line in text.Split('\n'))
        {
            var parts = line.Split('\t');
            var name = parts[^1].Trim();
            if (name.Length > 0)
            {
                result.Add(name);
            }
        }
        return result;
    }

    private static string SafeRead(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (IOException)
        {
            return "";
        }
    }

    private static string Unescape(string field)
    {
        if (!field.Contains('\\', StringComparison.Ordinal))
        {
            return field;
        }
        var sb = new System.Text.StringBuilder(field.Length);
        for (int i = 0; i < field.Length; i++)
        {
            if (field[i] == '\\' && i + 3 < field.Length && IsOctal(field[i + 1]) && IsOctal(field[i + 2]) && IsOctal(field[i + 3]))
            {
                sb.Append((char)(((field[i + 1] - '0') << 6) | ((field[i + 2] - '0') << 3) | (field[i + 3] - '0')));
                i += 3;
            }
            else
            {
                sb.Append(field[i]);
            }
        }
        return sb.ToString();
    }

    private static bool IsOctal(char c) => c is >= '0' and <= '7';

    private static IOException Error(string op, string detail)
    {
        int errno = Marshal.GetLastPInvokeError();
        return new IOException($"{op} {detail}: {Marshal.GetPInvokeErrorMessage(errno).ToLowerInvariant()}");
    }
}
