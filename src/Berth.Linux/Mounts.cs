using System.Runtime.InteropServices;

namespace Berth.Linux;

/// <summary>
/// Performs a mount described as data (type, source, target, options) in one operation.
/// Overlay prefers the new mount API: fsopen("overlay"), one fsconfig "lowerdir+" per layer
/// (kernel 6.8+, no length limit), fsmount, move_mount. Without "lowerdir+" it falls back to
/// mount(2), whose option string must fit in one page; when it does not, the lower directories
/// are named relative to their common parent with the process cwd moved there for the call —
/// cwd is process-wide, so that path holds a global lock and restores the cwd afterwards.
/// </summary>
public static unsafe partial class Mounts
{
    private const int FsopenCloexec = 1, FsmountCloexec = 1, MoveMountFEmptyPath = 4;
    private const int FsconfigSetFlag = 0, FsconfigSetString = 1, FsconfigCmdCreate = 6;
    private const ulong MsBind = 0x1000, MsRec = 0x4000, MsRdonly = 1;
    private const int MntDetach = 2;
    private const int PageLimit = 4095; // mount(2) copies at most one page of option data

    private static readonly Lock CwdLock = new();

    [LibraryImport("libc", EntryPoint = "mount", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int MountNative(string source, string target, string? type, ulong flags, string? data);

    [LibraryImport("libc", EntryPoint = "umount2", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Umount2Native(string target, int flags);

    /// <summary>Set to false by tests to exercise the mount(2) path on a kernel that has lowerdir+.</summary>
    internal static bool UseNewMountApi { get; set; } = true;

    public static void Mount(string type, string source, string target, IReadOnlyList<string> options)
    {
        if (type == "bind" || options.Contains("bind") || options.Contains("rbind"))
        {
            ulong flags = MsBind | (options.Contains("rbind") ? MsRec : 0);
            Check(MountNative(source, target, null, flags, null), $"bind mount {source} on {target}");
            if (options.Contains("ro"))
            {
                Check(MountNative("none", target, null, MsBind | MsRdonly | 0x20 /* MS_REMOUNT */, null), $"remount {target} read-only");
            }
            return;
        }
        if (type == "overlay" && UseNewMountApi && TryMountOverlayNewApi(source, target, options))
        {
            return;
        }
        MountLegacy(type, source, target, options);
    }

    /// <summary>Unmounts; a busy mount is detached lazily, a non-mount or missing target is ignored.</summary>
    public static void Unmount(string target)
    {
        if (Umount2Native(target, 0) == 0)
        {
            return;
        }
        int errno = Marshal.GetLastPInvokeError();
        if (errno is Errnos.EINVAL or Errnos.ENOENT)
        {
            return;
        }
        if (errno == Errnos.EBUSY && Umount2Native(target, MntDetach) == 0)
        {
            return;
        }
        throw ErrnoException.Last($"unmount {target}");
    }

    private static bool TryMountOverlayNewApi(string source, string target, IReadOnlyList<string> options)
    {
        int fs;
        fixed (byte* name = "overlay\0"u8)
        {
            fs = (int)FileSys.Syscall(FileSys.SysFsopen, (nint)name, FsopenCloexec, 0, 0, 0);
        }
        if (fs < 0)
        {
            return false; // ENOSYS / EPERM under seccomp: mount(2) may still work
        }
        try
        {
            bool first = true;
            foreach (var option in options)
            {
                var (key, value) = Split(option);
                if (key == "lowerdir")
                {
                    foreach (var lower in SplitLowers(value!))
                    {
                        if (!SetString(fs, "lowerdir+", lower))
                        {
                            int errno = Marshal.GetLastPInvokeError();
                            if (first && errno == Errnos.EINVAL)
                            {
                                return false; // kernel before 6.8: no lowerdir+
                            }
                            throw Failed(fs, $"overlay lowerdir+ {lower}", errno);
                        }
                        first = false;
                    }
                }
                else if (value is null ? !SetFlag(fs, key) : !SetString(fs, key, value))
                {
                    throw Failed(fs, $"overlay option {option}", Marshal.GetLastPInvokeError());
                }
            }
            _ = SetString(fs, "source", source);
            if (FileSys.Syscall(FileSys.SysFsconfig, fs, FsconfigCmdCreate, 0, 0, 0) < 0)
            {
                throw Failed(fs, $"create overlay for {target}", Marshal.GetLastPInvokeError());
            }
            int mnt = (int)FileSys.Syscall(FileSys.SysFsmount, fs, FsmountCloexec, 0, 0, 0);
            if (mnt < 0)
            {
                throw Failed(fs, $"fsmount overlay for {target}", Marshal.GetLastPInvokeError());
            }
            try
            {
                long rc;
                fixed (byte* empty = "\0"u8, to = FileSys.NullTerminated(target))
                {
                    rc = FileSys.Syscall(FileSys.SysMoveMount, mnt, (nint)empty, FileSys.AtFdCwd, (nint)to, MoveMountFEmptyPath);
                }
                if (rc < 0)
                {
                    throw ErrnoException.Last($"move_mount overlay to {target}");
                }
            }
            finally
            {
                FileSys.Close(mnt);
            }
            return true;
        }
        finally
        {
            FileSys.Close(fs);
        }
    }

    private static void MountLegacy(string type, string source, string target, IReadOnlyList<string> options)
    {
        var data = string.Join(',', options);
        if (data.Length <= PageLimit || type != "overlay")
        {
            Check(MountNative(source, target, type, 0, data), $"mount {type} on {target}");
            return;
        }
        // Too long for one page: name the lowers relative to their common directory.
        var lowerOption = options.First(o => o.StartsWith("lowerdir=", StringComparison.Ordinal));
        var lowers = SplitLowers(lowerOption["lowerdir=".Length..]).ToList();
        var parent = Path.GetDirectoryName(lowers[0])!;
        if (lowers.Any(l => Path.GetDirectoryName(l) != parent))
        {
            throw new ErrnoException($"mount overlay on {target}: {lowers.Count} lower directories do not fit in mount(2) options", Errnos.EINVAL);
        }
        var relative = options.Select(o => o == lowerOption ? "lowerdir=" + string.Join(':', lowers.Select(Path.GetFileName)) : o);
        data = string.Join(',', relative);
        if (data.Length > PageLimit)
        {
            throw new ErrnoException($"mount overlay on {target}: options exceed one page even with relative names", Errnos.EINVAL);
        }
        lock (CwdLock)
        {
            var saved = Environment.CurrentDirectory;
            Environment.CurrentDirectory = parent;
            try
            {
                Check(MountNative(source, Path.GetFullPath(target, saved), type, 0, data), $"mount overlay on {target}");
            }
            finally
            {
                Environment.CurrentDirectory = saved;
            }
        }
    }

    private static bool SetString(int fs, string key, string value)
    {
        fixed (byte* k = FileSys.NullTerminated(key), v = FileSys.NullTerminated(value))
        {
            return FileSys.Syscall(FileSys.SysFsconfig, fs, FsconfigSetString, (nint)k, (nint)v, 0) == 0;
        }
    }

    private static bool SetFlag(int fs, string key)
    {
        fixed (byte* k = FileSys.NullTerminated(key))
        {
            return FileSys.Syscall(FileSys.SysFsconfig, fs, FsconfigSetFlag, (nint)k, 0, 0) == 0;
        }
    }

    private static (string Key, string? Value) Split(string option)
    {
        int eq = option.IndexOf('=');
        return eq < 0 ? (option, null) : (option[..eq], option[(eq + 1)..]);
    }

    /// <summary>lowerdir is ':'-separated; "\:" is a literal colon.</summary>
    private static IEnumerable<string> SplitLowers(string value) =>
        value.Replace("\\:", "\0", StringComparison.Ordinal).Split(':').Select(s => s.Replace('\0', ':'));

    /// <summary>The kernel's own explanation is queued on the fs fd ("e overlay: ..."); include it.</summary>
    private static ErrnoException Failed(int fs, string operation, int errno)
    {
        var detail = FileSys.ReadText(fs)?.Trim();
        return new ErrnoException(detail is null ? operation : $"{operation} ({detail})", errno);
    }

    private static void Check(int result, string operation)
    {
        if (result != 0)
        {
            throw ErrnoException.Last(operation);
        }
    }
}
