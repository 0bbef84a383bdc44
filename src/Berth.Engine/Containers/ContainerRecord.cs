using System.Text.Json;
using System.Text.Json.Serialization;

namespace Berth.Engine.Containers;

/// <summary>
/// How to reach a started container's monitor again (also after a daemon restart); the runtime
/// layer fills it, the engine only persists it.
/// </summary>
/// <param name="Runtime">The runtime the monitor runs the container with; null in records of berthd versions that only had runc.</param>
public sealed record MonitorHandle(string BundleDir, string StateDir, int Pid, int ConmonPid, string? ContainerCgroup, string? MonitorCgroup, string? Runtime = null);

/// <summary>
/// Everything berthd persists about one container (one row, one JSON document). Immutable: the
/// service swaps a container's record only after the new one is committed.
/// </summary>
public sealed record ContainerRecord
{
    public required string Id { get; init; }
    /// <summary>Without the leading '/'; the registry owns names, this is a cached copy for snapshots.</summary>
    public required string Name { get; init; }
    public required DateTimeOffset Created { get; init; }
    public required string Path { get; init; }
    public required IReadOnlyList<string> Args { get; init; }
    /// <summary>"sha256:…" of the image the container was created from.</summary>
    public required string ImageId { get; init; }
    /// <summary>Top layer chain id the read-write layer sits on; null for scratch.</summary>
    public string? TopChainId { get; init; }
    public required ContainerSettings Config { get; init; }
    public required HostSettings HostConfig { get; init; }
    public ContainerState State { get; init; } = new();
    public int RestartCount { get; init; }
    /// <summary>Stopped or killed by a user (moby HasBeenManuallyStopped): unless-stopped stays down, also across daemon restarts.</summary>
    public bool HasBeenManuallyStopped { get; init; }
    public string Driver { get; init; } = "overlay2";
    public string Platform { get; init; } = "linux";
    public required string ContainerDir { get; init; }
    public required string LogPath { get; init; }
    /// <summary>Set while a monitor runs for the container (running, or exited but not yet cleaned up).</summary>
    public MonitorHandle? Monitor { get; init; }
    /// <summary>Binds, volumes and tmpfs mounts resolved at create (inspect's Mounts).</summary>
    public IReadOnlyList<Mounts.MountPoint> MountPoints { get; init; } = [];
    /// <summary>Networks, endpoints and sandbox (Berth.Engine.Networks; written by networking at create, start, stop, connect).</summary>
    public Networks.ContainerNetworkSettings NetworkSettings { get; init; } = new();

    [JsonIgnore] public string ResolvConfPath => System.IO.Path.Combine(ContainerDir, "resolv.conf");
    [JsonIgnore] public string HostnamePath => System.IO.Path.Combine(ContainerDir, "hostname");
    [JsonIgnore] public string HostsPath => System.IO.Path.Combine(ContainerDir, "hosts");
}

/// <summary>The persisted form of a record (the containers table's document column).</summary>
public static class ContainerRecordJson
{
    public static string Serialize(ContainerRecord record) => JsonSerializer.Serialize(record, ContainerJsonContext.Default.ContainerRecord);

    public static ContainerRecord Deserialize(string json) =>
        JsonSerializer.Deserialize(json, ContainerJsonContext.Default.ContainerRecord) ?? throw new JsonException("null container record");
}

/// <summary>The rows of the containers table (migration 5).</summary>
public interface IContainerStore
{
    IReadOnlyList<ContainerRecord> List();

    /// <summary>Inserts or replaces a container's row in one transaction.</summary>
    void Save(ContainerRecord record);

    void Delete(string id);
}
