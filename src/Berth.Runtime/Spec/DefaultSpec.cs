using Berth.Runtime.Security;

namespace Berth.Runtime.Spec;

/// <summary>
/// The starting point every container spec is mutated from: dockerd's DefaultLinuxSpec
/// (oci/defaults.go) — the kernel filesystems, masked and read-only /proc and /sys paths,
/// the default capabilities, new namespaces and the device cgroup allow-list.
/// </summary>
public static class DefaultSpec
{
    /// <summary>Docker's default /dev/shm size (64 MiB).</summary>
    public const long DefaultShmSize = 64L * 1024 * 1024;

    public static readonly IReadOnlyList<string> MaskedPaths =
    [
        "/proc/acpi", "/proc/asound", "/proc/interrupts", "/proc/kcore", "/proc/keys", "/proc/latency_stats",
        "/proc/sched_debug", "/proc/scsi", "/proc/timer_list", "/proc/timer_stats",
        "/sys/devices/virtual/powercap", "/sys/firmware",
    ];

    public static readonly IReadOnlyList<string> ReadonlyPaths =
    [
        "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger",
    ];

    public static OciSpec Create() => new()
    {
        Process = new OciProcess
        {
            Capabilities = new OciCapabilities
            {
                Bounding = [.. Capabilities.Default],
                Effective = [.. Capabilities.Default],
                Permitted = [.. Capabilities.Default],
            },
        },
        Root = new OciRoot(),
        Mounts =
        [
            Mount("/proc", "proc", "proc", "nosuid", "noexec", "nodev"),
            Mount("/dev", "tmpfs", "tmpfs", "nosuid", "strictatime", "mode=755", "size=65536k"),
            Mount("/dev/pts", "devpts", "devpts", "nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"),
            Mount("/sys", "sysfs", "sysfs", "nosuid", "noexec", "nodev", "ro"),
            Mount("/sys/fs/cgroup", "cgroup", "cgroup", "ro", "nosuid", "noexec", "nodev"),
            Mount("/dev/mqueue", "mqueue", "mqueue", "nosuid", "noexec", "nodev"),
            Mount("/dev/shm", "tmpfs", "shm", "nosuid", "noexec", "nodev", "mode=1777"),
        ],
        Linux = new OciLinux
        {
            MaskedPaths = [.. MaskedPaths],
            ReadonlyPaths = [.. ReadonlyPaths],
            Namespaces =
            [
                new() { Type = "mount" },
                new() { Type = "network" },
                new() { Type = "uts" },
                new() { Type = "pid" },
                new() { Type = "ipc" },
            ],
            // runc adds the standard nodes (null, zero, full, random, urandom, tty, console, ptmx).
            Devices = [],
            Resources = new OciResources
            {
                Devices =
                [
                    new() { Allow = false, Access = "rwm" },
                    Char(1, 5), // zero
                    Char(1, 3), // null
                    Char(1, 9), // urandom
                    Char(1, 8), // random
                    Char(5, 0), // tty
                    Char(5, 1), // console
                    new() { Allow = false, Type = "c", Major = 10, Minor = 229, Access = "rwm" }, // fuse
                ],
            },
        },
    };

    private static OciMount Mount(string destination, string type, string source, params string[] options) =>
        new() { Destination = destination, Type = type, Source = source, Options = [.. options] };

    private static OciDeviceCgroup Char(long major, long minor) =>
        new() { Allow = true, Type = "c", Major = major, Minor = minor, Access = "rwm" };
}
