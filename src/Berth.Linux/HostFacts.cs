using System.Runtime.InteropServices;
using Arch = System.Runtime.InteropServices.Architecture;

namespace Berth.Linux;

/// <summary>
/// Facts about the host read from /proc and /etc without spawning processes. Parsing is kept in
/// pure functions (unit-tested with sample texts); the readers only fetch the files.
/// </summary>
public static class HostFacts
{
    public static string KernelVersion() => ReadTrimmed("/proc/sys/kernel/osrelease") ?? "unknown";

    public static string Hostname() => ReadTrimmed("/proc/sys/kernel/hostname") ?? Environment.MachineName;

    public static string OperatingSystem() =>
        ParseOsRelease(ReadAll("/etc/os-release") ?? "", "PRETTY_NAME") ?? "Linux";

    public static string OsVersion() =>
        ParseOsRelease(ReadAll("/etc/os-release") ?? "", "VERSION_ID") ?? "";

    public static long MemTotalBytes() => ParseMemTotal(ReadAll("/proc/meminfo") ?? "");

    /// <summary>"1" or "2": which cgroup hierarchy is mounted at /sys/fs/cgroup.</summary>
    public static string CgroupVersion() => ParseCgroupVersion(ReadAll("/proc/self/mounts") ?? "");

    /// <summary>The architecture as uname -m spells it (what dockerd reports).</summary>
    public static string MachineArchitecture() => RuntimeInformation.OSArchitecture switch
    {
        Arch.X64 => "x86_64",
        Arch.Arm64 => "aarch64",
        Arch.Arm => "armv7l",
        Arch.X86 => "i686",
        Arch.S390x => "s390x",
        Arch.Ppc64le => "ppc64le",
        Arch.RiscV64 => "riscv64",
        var other => other.ToString().ToLowerInvariant(),
    };

    /// <summary>The architecture as Go's GOARCH spells it (the Arch field of /version).</summary>
    public static string GoArch() => RuntimeInformation.OSArchitecture switch
    {
        Arch.X64 => "amd64",
        Arch.Arm64 => "arm64",
        Arch.Arm => "arm",
        Arch.X86 => "386",
        var other => other.ToString().ToLowerInvariant(),
    };

    public static string? ParseOsRelease(string text, string key)
    {
        foreach (var raw in text.AsSpan().EnumerateLines())
        {
            var line = raw.Trim();
            if (line.StartsWith(key) && line.Length > key.Length && line[key.Length] == '=')
            {
                var value = line[(key.Length + 1)..];
                if (value.Length >= 2 && (value[0] == '"' || value[0] == '\'') && value[^1] == value[0])
                {
                    value = value[1..^1];
                }
                return value.ToString();
            }
        }
        return null;
    }

    public static long ParseMemTotal(string meminfo)
    {
        foreach (var line in meminfo.AsSpan().EnumerateLines())
        {
            if (!line.StartsWith("MemTotal:"))
            {
                continue;
            }
            var rest = line["MemTotal:".Length..].Trim();
            int space = rest.IndexOf(' ');
            var number = space < 0 ? rest : rest[..space];
            return long.TryParse(number, out long kib) ? kib * 1024 : 0;
        }
        return 0;
    }

    public static string ParseCgroupVersion(string mounts)
    {
        foreach (var line in mounts.AsSpan().EnumerateLines())
        {
            // "<source> <target> <fstype> <options> 0 0"
            int first = line.IndexOf(' ');
            if (first < 0)
            {
                continue;
            }
            var rest = line[(first + 1)..];
            int second = rest.IndexOf(' ');
            if (second < 0 || !rest[..second].SequenceEqual("/sys/fs/cgroup"))
            {
                continue;
            }
            return rest[(second + 1)..].StartsWith("cgroup2 ") ? "2" : "1";
        }
        return "1";
    }

    private static string? ReadAll(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static string? ReadTrimmed(string path) => ReadAll(path)?.Trim();

    /// <summary>A 0/1 flag file such as /proc/sys/net/ipv4/ip_forward; missing means off.</summary>
    public static bool ReadFlag(string path) => ReadTrimmed(path) == "1";

    public static int OpenFileDescriptors()
    {
        try
        {
            return Directory.GetFileSystemEntries("/proc/self/fd").Length;
        }
        catch (IOException)
        {
            return 0;
        }
    }

    public static int ThreadCount()
    {
        foreach (var line in (ReadAll("/proc/self/status") ?? "").AsSpan().EnumerateLines())
        {
            if (line.StartsWith("Threads:") && int.TryParse(line["Threads:".Length..].Trim(), out int n))
            {
                return n;
            }
        }
        return 0;
    }

    /// <summary>Which cgroup controls exist, by the files that enforce them.</summary>
    public static CgroupSupport CgroupFeatures(string cgroupVersion)
    {
        if (cgroupVersion == "2")
        {
            string controllers = ReadAll("/sys/fs/cgroup/cgroup.controllers") ?? "";
            bool Has(string c) => controllers.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Contains(c);
            return new CgroupSupport(Has("memory"), Has("memory"), Has("cpu"), Has("cpu"), Has("cpu"), Has("cpuset"), Has("pids"), false);
        }
        return new CgroupSupport(
            File.Exists("/sys/fs/cgroup/memory/memory.limit_in_bytes"),
            File.Exists("/sys/fs/cgroup/memory/memory.memsw.limit_in_bytes"),
            File.Exists("/sys/fs/cgroup/cpu/cpu.cfs_period_us"),
            File.Exists("/sys/fs/cgroup/cpu/cpu.cfs_quota_us"),
            File.Exists("/sys/fs/cgroup/cpu/cpu.shares"),
            File.Exists("/sys/fs/cgroup/cpuset/cpuset.cpus"),
            File.Exists("/sys/fs/cgroup/pids/pids.max") || Directory.Exists("/sys/fs/cgroup/pids"),
            File.Exists("/sys/fs/cgroup/memory/memory.oom_control"));
    }
}

/// <summary>Which cgroup controls the host offers.</summary>
public readonly record struct CgroupSupport(bool Memory, bool Swap, bool CfsPeriod, bool CfsQuota, bool Shares, bool CpuSet, bool Pids, bool OomKillDisable);
