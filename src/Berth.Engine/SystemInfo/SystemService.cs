using Berth.Engine.Configuration;
using Berth.Linux;

namespace Berth.Engine.SystemInfo;

/// <summary>Gathers /version and /info figures from the host, the config and the object stores.</summary>
public sealed class SystemService : ISystemBackend
{
    private readonly ConfigHolder _config;
    private readonly IObjectCounts _counts;
    private readonly ComponentProbe _components;
    private readonly string _daemonId;
    private readonly TimeProvider _time;
    private readonly Lazy<StaticHostFacts> _host = new(StaticHostFacts.Read);

    public SystemService(ConfigHolder config, IObjectCounts counts, ComponentProbe components, string daemonId, TimeProvider time)
    {
        _config = config;
        _counts = counts;
        _components = components;
        _daemonId = daemonId;
        _time = time;
    }

    public async Task<EngineVersion> GetVersionAsync()
    {
        var host = _host.Value;
        return new EngineVersion(
            BuildInfo.Version,
            BuildInfo.GitCommit,
            BuildInfo.RuntimeVersion,
            BuildInfo.BuildTime,
            "linux",
            HostFacts.GoArch(),
            host.Kernel,
            await _components.GetAsync());
    }

    public async Task<SystemFacts> GetInfoAsync()
    {
        var config = _config.Current;
        var host = _host.Value;
        var warnings = new List<string>();
        if (!host.BridgeNfIptables)
        {
            warnings.Add("WARNING: bridge-nf-call-iptables is disabled");
        }
        if (!host.BridgeNfIp6tables)
        {
            warnings.Add("WARNING: bridge-nf-call-ip6tables is disabled");
        }
        if (config.Hosts.Any(h => h.StartsWith("tcp://", StringComparison.Ordinal)) && !config.TlsEnabled)
        {
            warnings.Add("WARNING: API is accessible on http:// without encryption.");
        }
        return new SystemFacts
        {
            Id = _daemonId,
            Name = HostFacts.Hostname(),
            Containers = _counts.Containers(),
            Images = _counts.Images(),
            DataRoot = config.DataRoot,
            Debug = config.Debug,
            Labels = config.Labels,
            KernelVersion = host.Kernel,
            OperatingSystem = host.OperatingSystem,
            OsVersion = host.OsVersion,
            Architecture = HostFacts.MachineArchitecture(),
            Cpus = Environment.ProcessorCount,
            MemTotal = host.MemTotal,
            CgroupDriver = "cgroupfs",
            CgroupVersion = host.CgroupVersion,
            Cgroups = host.Cgroups,
            IPv4Forwarding = HostFacts.ReadFlag("/proc/sys/net/ipv4/ip_forward"),
            BridgeNfIptables = host.BridgeNfIptables,
            BridgeNfIp6tables = host.BridgeNfIp6tables,
            DefaultRuntime = config.DefaultRuntime,
            Runtimes = new Dictionary<string, Configuration.OciRuntimeConfig>(config.Runtimes)
            {
                [Configuration.RuntimeNames.Runc] = new(Configuration.RuntimeNames.Runc),
            },
            SecurityOptions = host.CgroupVersion == "2"
                ? ["name=seccomp,profile=builtin", "name=cgroupns"]
                : ["name=seccomp,profile=builtin"],
            StorageDriver = "overlay2",
            StorageStatus = [new("Backing Filesystem", host.BackingFilesystem), new("Supports d_type", "true"), new("Using metacopy", "false"), new("Native Overlay Diff", "true"), new("userxattr", "false")],
            LoggingDriver = "json-file",
            FileDescriptors = HostFacts.OpenFileDescriptors(),
            Threads = HostFacts.ThreadCount(),
            SystemTime = _time.GetLocalNow(),
            ServerVersion = BuildInfo.Version,
            Components = await _components.GetAsync(),
            Warnings = warnings,
            LiveRestoreEnabled = config.LiveRestore,
        };
    }

    /// <summary>Host facts that do not change while the daemon runs; read once, on first use.</summary>
    private sealed record StaticHostFacts(
        string Kernel, string OperatingSystem, string OsVersion, long MemTotal, string CgroupVersion,
        CgroupFeatures Cgroups, bool BridgeNfIptables, bool BridgeNfIp6tables, string BackingFilesystem)
    {
        public static StaticHostFacts Read()
        {
            string cgroupVersion = HostFacts.CgroupVersion();
            var f = HostFacts.CgroupFeatures(cgroupVersion);
            return new StaticHostFacts(
                HostFacts.KernelVersion(),
                HostFacts.OperatingSystem(),
                HostFacts.OsVersion(),
                HostFacts.MemTotalBytes(),
                cgroupVersion,
                new CgroupFeatures(f.Memory, f.Swap, f.CfsPeriod, f.CfsQuota, f.Shares, f.CpuSet, f.Pids, f.OomKillDisable),
                HostFacts.ReadFlag("/proc/sys/net/bridge/bridge-nf-call-iptables"),
                HostFacts.ReadFlag("/proc/sys/net/bridge/bridge-nf-call-ip6tables"),
                "extfs");
        }
    }
}
