namespace Berth.Engine.SystemInfo;

/// <summary>What /version reports, independent of the wire shape.</summary>
public sealed record EngineVersion(
    string Version,
    string GitCommit,
    string RuntimeVersion,
    string BuildTime,
    string Os,
    string Arch,
    string KernelVersion,
    IReadOnlyList<ComponentVersion> Components);

/// <summary>Container counts by state.</summary>
public readonly record struct ContainerCounts(int Running, int Paused, int Stopped)
{
    public int Total => Running + Paused + Stopped;
}

/// <summary>What cgroups let the daemon enforce on this host.</summary>
public sealed record CgroupFeatures(
    bool MemoryLimit,
    bool SwapLimit,
    bool CpuCfsPeriod,
    bool CpuCfsQuota,
    bool CpuShares,
    bool CpuSet,
    bool PidsLimit,
    bool OomKillDisable);

/// <summary>The figures /info reports, gathered at request time.</summary>
public sealed record SystemFacts
{
    public required string Id { get; init; }
    public required string Name { get; init; }
    public required ContainerCounts Containers { get; init; }
    public required int Images { get; init; }
    public required string DataRoot { get; init; }
    public required bool Debug { get; init; }
    public required IReadOnlyList<string> Labels { get; init; }
    public required string KernelVersion { get; init; }
    public required string OperatingSystem { get; init; }
    public required string OsVersion { get; init; }
    public required string Architecture { get; init; }
    public required int Cpus { get; init; }
    public required long MemTotal { get; init; }
    public required string CgroupDriver { get; init; }
    public required string CgroupVersion { get; init; }
    public required CgroupFeatures Cgroups { get; init; }
    public required bool IPv4Forwarding { get; init; }
    public required bool BridgeNfIptables { get; init; }
    public required bool BridgeNfIp6tables { get; init; }
    public required string DefaultRuntime { get; init; }
    /// <summary>runc and the configured runtimes, with their paths and runtimeArgs as configured.</summary>
    public required IReadOnlyDictionary<string, Configuration.OciRuntimeConfig> Runtimes { get; init; }
    public required IReadOnlyList<string> SecurityOptions { get; init; }
    public required string StorageDriver { get; init; }
    public required IReadOnlyList<KeyValuePair<string, string>> StorageStatus { get; init; }
    public required string LoggingDriver { get; init; }
    public required int FileDescriptors { get; init; }
    public required int Threads { get; init; }
    public required DateTimeOffset SystemTime { get; init; }
    public required string ServerVersion { get; init; }
    public required IReadOnlyList<ComponentVersion> Components { get; init; }
    public required IReadOnlyList<string> Warnings { get; init; }
    public bool LiveRestoreEnabled { get; init; }
}

/// <summary>The system endpoints' backend (/version, /info).</summary>
public interface ISystemBackend
{
    Task<EngineVersion> GetVersionAsync();

    Task<SystemFacts> GetInfoAsync();
}

/// <summary>
/// Counts the objects /info reports. Containers and images arrive with later subsystems; until
/// then the counts are honestly zero.
/// </summary>
public interface IObjectCounts
{
    ContainerCounts Containers();

    int Images();
}

/// <summary>The object counts of a daemon that has no containers or images yet.</summary>
public sealed class EmptyObjectCounts : IObjectCounts
{
    public ContainerCounts Containers() => default;

    public int Images() => 0;
}
