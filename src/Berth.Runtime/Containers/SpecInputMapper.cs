using System.Globalization;
using Berth.Engine.Containers;
using Berth.Runtime.Spec;

namespace Berth.Runtime.Containers;

/// <summary>
/// Maps a container record (Docker's Config/HostConfig, already merged with the image at
/// create) onto the spec builder's input. Pure: host facts and file contents come in as values.
/// </summary>
public static class SpecInputMapper
{
    public static SpecInput Map(ContainerRecord record, string cgroupParent, SpecPaths paths, string? passwd, string? group, DaemonSpecDefaults daemon)
    {
        ContainerSettings c = record.Config;
        HostSettings h = record.HostConfig;
        return new SpecInput
        {
            ContainerId = record.Id,
            // The image config was merged at create; the command is the recorded Path/Args so
            // what runs is exactly what inspect shows.
            Image = new ImageConfigInput(),
            Config = new ContainerConfigInput
            {
                Entrypoint = [record.Path],
                Cmd = record.Args,
                Env = c.Env,
                WorkingDir = c.WorkingDir,
                User = c.User,
                Hostname = c.Hostname,
                Domainname = c.Domainname,
                Tty = c.Tty,
                OpenStdin = c.OpenStdin,
            },
            HostConfig = new HostConfigInput
            {
                Privileged = h.Privileged,
                CapAdd = h.CapAdd ?? [],
                CapDrop = h.CapDrop ?? [],
                ReadonlyRootfs = h.ReadonlyRootfs,
                SecurityOpt = h.SecurityOpt ?? [],
                Devices = [.. h.Devices.Select(d => new DeviceMapping(d.PathOnHost, d.PathInContainer, d.CgroupPermissions))],
                Ulimits = [.. h.Ulimits.Select(u => new Ulimit(u.Name, u.Soft, u.Hard))],
                Sysctls = h.Sysctls ?? new Dictionary<string, string>(),
                ShmSize = h.ShmSize,
                Tmpfs = h.Tmpfs ?? new Dictionary<string, string>(),
                Init = h.Init,
                OomScoreAdj = h.OomScoreAdj,
                IpcMode = h.IpcMode,
                PidMode = h.PidMode,
                UtsMode = h.UTSMode,
                NetworkMode = NetworkModeForSpec(h.NetworkMode, record.NetworkSettings.SandboxKey),
                CgroupnsMode = h.CgroupnsMode,
                CgroupParent = h.CgroupParent,
                GroupAdd = [.. (h.GroupAdd ?? []).Select(g => uint.TryParse(g, NumberStyles.None, CultureInfo.InvariantCulture, out uint gid) ? (uint?)gid : null).OfType<uint>()],
                Resources = new ResourcesInput
                {
                    Memory = h.Memory,
                    MemoryReservation = h.MemoryReservation,
                    MemorySwap = h.MemorySwap,
                    MemorySwappiness = h.MemorySwappiness,
                    OomKillDisable = h.OomKillDisable,
                    CpuShares = h.CpuShares,
                    NanoCpus = h.NanoCpus,
                    CpuPeriod = h.CpuPeriod,
                    CpuQuota = h.CpuQuota,
                    CpusetCpus = h.CpusetCpus,
                    CpusetMems = h.CpusetMems,
                    PidsLimit = h.PidsLimit,
                    BlkioWeight = h.BlkioWeight,
                    BlkioWeightDevice = Devices(h.BlkioWeightDevice?.Select(d => (d.Path, (ulong)d.Weight))),
                    BlkioReadBps = Devices(h.BlkioDeviceReadBps?.Select(d => (d.Path, d.Rate))),
                    BlkioWriteBps = Devices(h.BlkioDeviceWriteBps?.Select(d => (d.Path, d.Rate))),
                    BlkioReadIops = Devices(h.BlkioDeviceReadIOps?.Select(d => (d.Path, d.Rate))),
                    BlkioWriteIops = Devices(h.BlkioDeviceWriteIOps?.Select(d => (d.Path, d.Rate))),
                },
                Annotations = h.Annotations,
                ConsoleSize = h.ConsoleSize.Count == 2 ? ((uint)Math.Max(0, h.ConsoleSize[0]), (uint)Math.Max(0, h.ConsoleSize[1])) : (0, 0),
            },
            Daemon = daemon with { CgroupParent = cgroupParent },
            Paths = paths with { NetworkNamespacePath = NullIfEmpty(record.NetworkSettings.SandboxKey) },
            Namespaces = new SandboxNamespaces(record.NetworkSettings.SandboxKey),
            PasswdText = passwd,
            GroupText = group,
        };
    }

    /// <summary>Resolves a block device path to its numbers (stat); replaceable so tests stay off /dev.</summary>
    public static Func<string, (long Major, long Minor)> ResolveBlockDevice { get; set; } = Cgroups.BlockDevices.Resolve;

    private static List<BlkioDeviceInput> Devices(IEnumerable<(string Path, ulong Value)>? devices) =>
        [.. (devices ?? []).Select(d =>
        {
            (long major, long minor) = ResolveBlockDevice(d.Path);
            return new BlkioDeviceInput(major, minor, d.Value);
        })];

    /// <summary>
    /// The network mode as the spec builder sees it. With a sandbox (the namespace networking
    /// created and pinned, or the one a "container:x" container joins) the container joins that
    /// path; "host" shares the host's; anything else without a sandbox ("none", or networking
    /// switched off) gets a fresh namespace from the runtime, with only lo.
    /// </summary>
    public static string NetworkModeForSpec(string mode, string sandboxKey = "") =>
        mode == "host" || mode.StartsWith("container:", StringComparison.Ordinal) ? mode
        : sandboxKey.Length > 0 ? "sandbox" : "none";

    private static string? NullIfEmpty(string value) => value.Length > 0 ? value : null;

    /// <summary>"container:x" for the network namespace resolves to the sandbox networking chose; other kinds are not known here.</summary>
    private sealed class SandboxNamespaces(string sandboxKey) : INamespacePathResolver
    {
        public string ResolveNamespacePath(string containerRef, string nsFile) =>
            nsFile == "net" && sandboxKey.Length > 0
                ? sandboxKey
                : throw Engine.Errors.DaemonException.NotFound($"No such container: {containerRef}");
    }
}
