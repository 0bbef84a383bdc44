namespace Berth.Engine.Configuration;

/// <summary>
/// The daemon's effective configuration: flags and daemon.json merged and validated.
/// Immutable; a SIGHUP reload builds a new instance and swaps it in <see cref="ConfigHolder"/>.
/// Defaults live here and nowhere else.
/// </summary>
public sealed record DaemonConfig
{
    public const string DefaultConfigFile = "/etc/berth/daemon.json";
    public const string DefaultHost = "unix:///var/run/berth.sock";

    public IReadOnlyList<string> Hosts { get; init; } = [DefaultHost];
    public string ConfigFile { get; init; } = DefaultConfigFile;
    public string DataRoot { get; init; } = "/var/lib/berth";
    public string ExecRoot { get; init; } = "/run/berth";
    public string PidFile { get; init; } = "/var/run/berthd.pid";
    public bool Debug { get; init; }
    public string LogLevel { get; init; } = "info";

    /// <summary>Null when neither flag nor file set it: "not given" matters for tcp://.</summary>
    public bool? Tls { get; init; }
    public bool TlsVerify { get; init; }
    public string TlsCaCert { get; init; } = "/etc/berth/ca.pem";
    public string TlsCert { get; init; } = "/etc/berth/cert.pem";
    public string TlsKey { get; init; } = "/etc/berth/key.pem";

    /// <summary>Null means "docker when that group exists, else root".</summary>
    public string? Group { get; init; }
    public IReadOnlyList<string> Labels { get; init; } = [];

    // Resource names reserved now so parallel daemons (tests, CI) never collide once
    // cgroups, bridges and firewall chains arrive in later work.
    public string CgroupParent { get; init; } = "/berth";
    public string Bridge { get; init; } = "berth0";
    public string IptablesChainPrefix { get; init; } = "BERTH";

    /// <summary>--bip: the default bridge's address and subnet ("192.168.5.1/24"); null: from the pools.</summary>
    public string? Bip { get; init; }

    /// <summary>--fixed-cidr: the range default-bridge containers get addresses from; null: the whole subnet.</summary>
    public string? FixedCidr { get; init; }

    /// <summary>--mtu: MTU of the default bridge and its containers' interfaces.</summary>
    public int Mtu { get; init; } = 1500;

    /// <summary>--icc and --ip-masq: inter-container traffic and masquerading on the default bridge.</summary>
    public bool Icc { get; init; } = true;
    public bool IpMasq { get; init; } = true;
    public IReadOnlyList<AddressPool> DefaultAddressPools { get; init; } = [new("172.17.0.0/16", 16), new("172.18.0.0/16", 16)];

    /// <summary>registry-mirrors, insecure-registries, max-concurrent-*, and Berth's certs.d root.</summary>
    public Distribution.RegistryOptions Registry { get; init; } = new();

    /// <summary>--dns: containers' nameservers (default bridge) or the embedded resolver's external servers (user networks).</summary>
    public IReadOnlyList<string> Dns { get; init; } = [];
    /// <summary>--live-restore: a clean shutdown leaves running containers running (the next start re-attaches them).</summary>
    public bool LiveRestore { get; init; }
    /// <summary>log-driver / log-opts: the LogConfig of containers that do not choose their own.</summary>
    public string LogDriver { get; init; } = "json-file";
    public IReadOnlyDictionary<string, string> LogOpts { get; init; } = new Dictionary<string, string>();

    /// <summary>--add-runtime / "runtimes": runtimes besides the stock runc, by name.</summary>
    public IReadOnlyDictionary<string, OciRuntimeConfig> Runtimes { get; init; } = new Dictionary<string, OciRuntimeConfig>();

    /// <summary>--default-runtime: what a container that names none runs with.</summary>
    public string DefaultRuntime { get; init; } = RuntimeNames.Runc;

    /// <summary>TLS is on when asked for explicitly or implied by --tlsverify, as dockerd does.</summary>
    public bool TlsEnabled => TlsVerify || Tls == true;
}

/// <summary>One entry of default-address-pools: a base range split into subnets of Size bits.</summary>
public sealed record AddressPool(string Base, int Size);
