namespace Berth.Engine.Distribution;

/// <summary>The daemon settings the registry client uses (daemon.json keys and dockerd's defaults).</summary>
public sealed record RegistryOptions
{
    public const string DefaultCertsDir = "/etc/berth/certs.d";

    /// <summary>registry-mirrors: tried before registry-1.docker.io for docker.io images, in order.</summary>
    public IReadOnlyList<string> Mirrors { get; init; } = [];

    /// <summary>insecure-registries: host[:port] names or CIDR ranges (plain HTTP and unverified TLS allowed).</summary>
    public IReadOnlyList<string> InsecureRegistries { get; init; } = [];

    /// <summary>Per-registry TLS material, &lt;dir&gt;/&lt;host:port&gt;/{*.crt,*.cert,*.key}, as /etc/docker/certs.d.</summary>
    public string CertsDir { get; init; } = DefaultCertsDir;

    public int MaxConcurrentDownloads { get; init; } = 3;

    public int MaxConcurrentUploads { get; init; } = 5;

    /// <summary>
    /// dockerd always treats 127.0.0.0/8 and ::1 as insecure. Berth lets that be switched off so a
    /// TLS registry on loopback can be held to certificate checks (tests; nothing else is local).
    /// </summary>
    public bool LoopbackInsecure { get; init; } = true;
}
