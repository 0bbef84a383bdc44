namespace Berth.Daemon.Configuration;

/// <summary>How a setting's value is shaped, both on the command line and in daemon.json.</summary>
internal enum SettingKind
{
    Bool,
    Int,
    String,
    StringList,
    PoolList,

    /// <summary>key=value on the command line (repeatable), an object of strings in the file.</summary>
    StringMap,

    /// <summary>name=path on the command line (repeatable), {"name": {"path", "runtimeArgs"}} in the file.</summary>
    RuntimeMap,
}

/// <summary>
/// One daemon setting. <see cref="Key"/> is the daemon.json key (null for flag-only options);
/// list flags are singular on the command line and plural in the file, as in dockerd.
/// </summary>
internal sealed record DaemonOption(string? Key, string Flag, string? Short, SettingKind Kind, string Help)
{
    /// <summary>pflag's way of naming a flag in errors: "-H, --host" or "--label".</summary>
    public string Display => Short is null ? "--" + Flag : $"-{Short}, --{Flag}";
}

/// <summary>The option table: the single place that knows dockerd's flag and key spellings.</summary>
internal static class DaemonOptions
{
    public static readonly DaemonOption Hosts = new("hosts", "host", "H", SettingKind.StringList, "Daemon socket(s) to connect to");
    public static readonly DaemonOption ConfigFile = new(null, "config-file", null, SettingKind.String, "Daemon configuration file (default \"/etc/berth/daemon.json\")");
    public static readonly DaemonOption DataRoot = new("data-root", "data-root", null, SettingKind.String, "Root directory of persistent Berth state");
    public static readonly DaemonOption ExecRoot = new("exec-root", "exec-root", null, SettingKind.String, "Root directory for execution state files");
    public static readonly DaemonOption PidFile = new("pidfile", "pidfile", "p", SettingKind.String, "Path to use for daemon PID file");
    public static readonly DaemonOption Debug = new("debug", "debug", "D", SettingKind.Bool, "Enable debug mode");
    public static readonly DaemonOption LogLevel = new("log-level", "log-level", "l", SettingKind.String, "Set the logging level (\"debug\"|\"info\"|\"warn\"|\"error\"|\"fatal\")");
    public static readonly DaemonOption Tls = new("tls", "tls", null, SettingKind.Bool, "Use TLS; implied by --tlsverify");
    public static readonly DaemonOption TlsVerify = new("tlsverify", "tlsverify", null, SettingKind.Bool, "Use TLS and verify the remote");
    public static readonly DaemonOption TlsCaCert = new("tlscacert", "tlscacert", null, SettingKind.String, "Trust certs signed only by this CA");
    public static readonly DaemonOption TlsCert = new("tlscert", "tlscert", null, SettingKind.String, "Path to TLS certificate file");
    public static readonly DaemonOption TlsKey = new("tlskey", "tlskey", null, SettingKind.String, "Path to TLS key file");
    public static readonly DaemonOption Group = new("group", "group", "G", SettingKind.String, "Group for the unix socket (default \"docker\")");
    public static readonly DaemonOption Labels = new("labels", "label", null, SettingKind.StringList, "Set key=value labels to the daemon");
    public static readonly DaemonOption CgroupParent = new("cgroup-parent", "cgroup-parent", null, SettingKind.String, "Set parent cgroup for all containers");
    public static readonly DaemonOption Bridge = new("bridge", "bridge", "b", SettingKind.String, "Attach containers to a network bridge");
    public static readonly DaemonOption AddressPools = new("default-address-pools", "default-address-pool", null, SettingKind.PoolList, "Default address pools for node specific local networks");
    public static readonly DaemonOption Dns = new("dns", "dns", null, SettingKind.StringList, "DNS server to use");
    public static readonly DaemonOption Bip = new("bip", "bip", null, SettingKind.String, "Specify default-bridge IP");
    public static readonly DaemonOption FixedCidr = new("fixed-cidr", "fixed-cidr", null, SettingKind.String, "IPv4 subnet for fixed IPs");
    public static readonly DaemonOption Mtu = new("mtu", "mtu", null, SettingKind.Int, "Set the containers network MTU (default 1500)");
    public static readonly DaemonOption Icc = new("icc", "icc", null, SettingKind.Bool, "Enable inter-container communication (default true)");
    public static readonly DaemonOption IpMasq = new("ip-masq", "ip-masq", null, SettingKind.Bool, "Enable IP masquerading (default true)");
    public static readonly DaemonOption ChainPrefix = new("iptables-chain-prefix", "iptables-chain-prefix", null, SettingKind.String, "Name prefix of the daemon's firewall chains");
    public static readonly DaemonOption RegistryMirrors = new("registry-mirrors", "registry-mirror", null, SettingKind.StringList, "Preferred registry mirror");
    public static readonly DaemonOption InsecureRegistries = new("insecure-registries", "insecure-registry", null, SettingKind.StringList, "Enable insecure registry communication");
    public static readonly DaemonOption MaxConcurrentDownloads = new("max-concurrent-downloads", "max-concurrent-downloads", null, SettingKind.Int, "Set the max concurrent downloads (default 3)");
    public static readonly DaemonOption MaxConcurrentUploads = new("max-concurrent-uploads", "max-concurrent-uploads", null, SettingKind.Int, "Set the max concurrent uploads (default 5)");
    public static readonly DaemonOption RegistryCertsDir = new("registry-certs-dir", "registry-certs-dir", null, SettingKind.String, "Per-registry TLS material, <dir>/<host:port>/ (default \"/etc/berth/certs.d\")");
    public static readonly DaemonOption RegistryLoopbackInsecure = new("registry-loopback-insecure", "registry-loopback-insecure", null, SettingKind.Bool, "Treat 127.0.0.0/8 and ::1 registries as insecure, as dockerd always does (default true)");
    public static readonly DaemonOption LiveRestore = new("live-restore", "live-restore", null, SettingKind.Bool, "Enable live restore of docker when containers are still running");
    public static readonly DaemonOption LogDriver = new("log-driver", "log-driver", null, SettingKind.String, "Default driver for container logs (default \"json-file\")");
    public static readonly DaemonOption LogOpts = new("log-opts", "log-opt", null, SettingKind.StringMap, "Default log driver options for containers");
    public static readonly DaemonOption Runtimes = new("runtimes", "add-runtime", null, SettingKind.RuntimeMap, "Register an additional OCI compatible runtime");
    public static readonly DaemonOption DefaultRuntime = new("default-runtime", "default-runtime", null, SettingKind.String, "Default OCI runtime for containers (default \"runc\")");
    public static readonly DaemonOption Validate = new(null, "validate", null, SettingKind.Bool, "Validate daemon configuration and exit");
    public static readonly DaemonOption Version = new(null, "version", "v", SettingKind.Bool, "Print version information and quit");
    public static readonly DaemonOption Help = new(null, "help", "h", SettingKind.Bool, "Print usage");

    public static readonly IReadOnlyList<DaemonOption> All =
    [
        Runtimes, Bip, Bridge, CgroupParent, ConfigFile, DataRoot, Debug, AddressPools, DefaultRuntime, Dns, ExecRoot, FixedCidr, Group, Help, Hosts,
        Icc, InsecureRegistries, IpMasq, ChainPrefix, Labels, LiveRestore, LogDriver, LogLevel, LogOpts, MaxConcurrentDownloads, MaxConcurrentUploads, Mtu, PidFile,
        RegistryCertsDir, RegistryLoopbackInsecure, RegistryMirrors, Tls, TlsCaCert, TlsCert, TlsKey, TlsVerify, Validate, Version,
    ];

    /// <summary>Options that may appear in daemon.json, by key.</summary>
    public static readonly IReadOnlyDictionary<string, DaemonOption> ByKey =
        All.Where(o => o.Key is not null).ToDictionary(o => o.Key!, StringComparer.Ordinal);
}
