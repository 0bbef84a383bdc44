using System.Runtime.InteropServices;

namespace Berth.Linux;

/// <summary>
/// mount(2)/umount2(2) for the container rootfs. Stop-gap until the layers branch's mount
/// executor (fsopen/fsconfig, which lifts mount(2)'s one-page limit on overlay's lowerdir list)
/// is merged; the container runtime calls only <see cref="Mount"/> and <see cref="Unmount"/>.
/// </summary>
public static partial class MountCalls
{
    public const ulong MsRdonly = 0x1, MsNosuid = 0x2, MsNodev = 0x4, MsNoexec = 0x8;
    private const int MntDetach = 0x2;
    private const int EINVAL = 22, ENOENT = 2;

    [LibraryImport("libc", EntryPoint = "mount", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int MountNative(string source, string target, string fstype, ulong flags, string? data);

    [LibraryImport("libc", EntryPoint = "umount2", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Umount2Native(string target, int flags);

    /// <summary>
    /// Mounts with the flag words (ro, nosuid, nodev, noexec) turned into flags and every other
    /// option passed as the comma-joined data string (overlay's lowerdir=/upperdir=/workdir=).
    /// </summary>
    public static void Mount(string type, string source, string target, IReadOnlyList<string> options)
    {
        ulong flags = 0;
        var data = new List<string>();
        foreach (string option in options)
        {
            switch (option)
            {
                case "ro": flags |= MsRdonly; break;
                case "rw": break;
                case "nosuid": flags |= MsNosuid; break;
                case "nodev": flags |= MsNodev; break;
                case "noexec": flags |= MsNoexec; break;
                default: data.Add(option); break;
            }
        }
        if (MountNative(source, target, type, flags, data.Count == 0 ? null : string.Join(',', data)) != 0)
        {
            throw ErrnoException.Last($"mount {type} on {target}");
        }
    }

    /// <summary>Lazy unmount (MNT_DETACH): a process still inside does not block cleanup. False when nothing was mounted there.</summary>
    public static bool Unmount(string target)
    {
        if (Umount2Native(target, MntDetach) == 0)
        {
            return true;
        }
        int errno = Marshal.GetLastPInvokeError();
        return errno is EINVAL or ENOENT ? false : throw new ErrnoException($"umount {target}", errno);
    }

    /// <summary>True when <paramref name="target"/> is a mount point in /proc/self/mountinfo.</summary>
    public static bool IsMounted(string target)
    {
        foreach (string line in File.ReadLines("/proc/self/mountinfo"))
        {
            string[] fields = line.Split(' ');
            if (fields.Length > 4 && Unescape(fields[4]) == target)
            {
                return true;
            }
        }
        return false;
    }

    private static string Unescape(string field) =>
        field.Replace("\\040", " ", StringComparison.Ordinal).Replace("\\011", "\t", StringComparison.Ordinal)
            .Replace("\\012", "\n", StringComparison.Ordinal).Replace("\\134", "\\", StringComparison.Ordinal);
}
