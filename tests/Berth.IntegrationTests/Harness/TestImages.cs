using System.Formats.Tar;
using System.Text;

namespace Berth.IntegrationTests.Harness;

/// <summary>
/// Image material made on the spot, no registry: a minimal rootfs around the static
/// /bin/busybox, as a tar that `docker import` (or POST /images/create?fromSrc=-) accepts.
/// </summary>
public static class TestImages
{
    public const string BusyboxSource = "/bin/busybox";

    /// <summary>The applets linked to /bin/busybox in the rootfs.</summary>
    public static readonly IReadOnlyList<string> Applets =
    [
        "sh", "ash", "echo", "cat", "sleep", "true", "false", "ls", "env", "id", "hostname", "ps", "kill",
        "mkdir", "rm", "touch", "pwd", "printf", "test", "wc", "head", "tail", "grep", "sed", "date",
        "uname", "whoami", "ip", "ping", "nc", "wget", "mount", "umount", "chmod", "chown", "cp", "mv",
        "ln", "df", "du", "sync", "top", "tee", "seq", "stat", "find", "yes", "dd", "nslookup", "free",
    ];

    /// <summary>/etc/passwd: root and nobody (uid/gid 65534), as images usually carry.</summary>
    public const string Passwd = "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n";

    public const string Group = "root:x:0:\nnogroup:x:65534:\nnobody:x:65534:\n";

    private static readonly (string Path, UnixFileMode Mode)[] Directories =
    [
        ("bin/", Mode755),
        ("dev/", Mode755),
        ("etc/", Mode755),
        ("home/", Mode755),
        ("proc/", Mode555),
        ("root/", UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute),
        ("sys/", Mode555),
        ("tmp/", Mode755 | UnixFileMode.GroupWrite | UnixFileMode.OtherWrite | UnixFileMode.StickyBit),
        ("usr/", Mode755),
        ("usr/bin/", Mode755),
        ("var/", Mode755),
        ("var/tmp/", Mode755 | UnixFileMode.GroupWrite | UnixFileMode.OtherWrite | UnixFileMode.StickyBit),
    ];

    private const UnixFileMode Mode755 = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute |
        UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;

    private const UnixFileMode Mode555 = UnixFileMode.UserRead | UnixFileMode.UserExecute |
        UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;

    private const UnixFileMode Mode644 = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;

    /// <summary>Writes the busybox rootfs tar to <paramref name="path"/> and returns the path.</summary>
    public static string BusyboxRootfsTar(string path)
    {
        using var file = File.Create(path);
        WriteBusyboxRootfs(file);
        return path;
    }

    /// <summary>Writes the busybox rootfs as a tar stream (PAX, uid/gid 0) to <paramref name="destination"/>.</summary>
    public static void WriteBusyboxRootfs(Stream destination)
    {
        if (!File.Exists(BusyboxSource))
        {
            throw new FileNotFoundException("the busybox rootfs needs a static busybox (apt-get install busybox-static)", BusyboxSource);
        }
        var mtime = new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);
        using var tar = new TarWriter(destination, TarEntryFormat.Pax, leaveOpen: true);
        foreach (var (dir, mode) in Directories)
        {
            tar.WriteEntry(Entry(TarEntryType.Directory, dir, mode, mtime));
        }
        using (var busybox = File.OpenRead(BusyboxSource))
        {
            var entry = Entry(TarEntryType.RegularFile, "bin/busybox", Mode755, mtime);
            entry.DataStream = busybox;
            tar.WriteEntry(entry);
        }
        foreach (var applet in Applets)
        {
            var link = Entry(TarEntryType.SymbolicLink, "bin/" + applet, Mode755 | UnixFileMode.GroupWrite | UnixFileMode.OtherWrite, mtime);
            link.LinkName = "busybox";
            tar.WriteEntry(link);
        }
        WriteText(tar, "etc/passwd", Passwd, mtime);
        WriteText(tar, "etc/group", Group, mtime);
        // Docker bind-mounts these three over the image's; they exist so the mount targets do.
        WriteText(tar, "etc/hostname", "", mtime);
        WriteText(tar, "etc/hosts", "", mtime);
        WriteText(tar, "etc/resolv.conf", "", mtime);
    }

    private static void WriteText(TarWriter tar, string name, string content, DateTimeOffset mtime)
    {
        var entry = Entry(TarEntryType.RegularFile, name, Mode644, mtime);
        entry.DataStream = new MemoryStream(Encoding.UTF8.GetBytes(content));
        tar.WriteEntry(entry);
    }

    private static PaxTarEntry Entry(TarEntryType type, string name, UnixFileMode mode, DateTimeOffset mtime) =>
        new(type, name)
        {
            Mode = mode,
            Uid = 0,
            Gid = 0,
            UserName = "root",
            GroupName = "root",
            ModificationTime = mtime,
        };
}
