using Berth.Engine.Filters;

namespace Berth.Engine.Volumes;

/// <summary>
/// Volumes, as the API and the container service use them (moby volume/service.VolumesService).
///
/// Two counts, as in dockerd: <b>users</b> (Acquire/Release, persisted) decide "in use" for
/// remove, prune and <c>dangling</c>; <b>active mounts</b> (Mount/Unmount, in memory) decide when
/// a volume with driver options is mounted: on the first Mount, unmounted after the last Unmount.
/// The container service calls Acquire at container create (or passes Reference to Create),
/// Mount at start, Unmount at stop, Release at container remove.
/// </summary>
public interface IVolumeService
{
    Task<VolumeInfo> CreateAsync(VolumeCreateRequest request, CancellationToken cancellationToken = default);

    /// <summary>NotFound "get NAME: no such volume".</summary>
    Task<VolumeInfo> GetAsync(string name, CancellationToken cancellationToken = default);

    /// <summary>Filters: dangling, name (regexp), driver, label; anything else is "invalid filter".</summary>
    Task<IReadOnlyList<VolumeInfo>> ListAsync(FilterArgs filters, CancellationToken cancellationToken = default);

    /// <summary>
    /// Conflict "remove NAME: volume is in use - [ids]" while it has users (force does not
    /// override that, as in dockerd); <paramref name="force"/> makes a missing volume a success.
    /// </summary>
    Task RemoveAsync(string name, bool force, CancellationToken cancellationToken = default);

    /// <summary>Unused local volumes without driver options; anonymous only unless all=true.</summary>
    Task<VolumePruneReport> PruneAsync(FilterArgs filters, CancellationToken cancellationToken = default);

    /// <summary>Registers <paramref name="reference"/> (a container id) as a user; persisted.</summary>
    Task<VolumeInfo> AcquireAsync(string name, string reference, CancellationToken cancellationToken = default);

    /// <summary>Drops a user; a missing volume or unknown reference is not an error (dockerd's Release).</summary>
    Task ReleaseAsync(string name, string reference, CancellationToken cancellationToken = default);

    /// <summary>
    /// Makes the data available and returns the host path to bind into a container. Volumes with
    /// driver options are mounted on the first call. <paramref name="eventAttributes"/> (container,
    /// destination, read/write, propagation) go into the "mount" event.
    /// </summary>
    Task<string> MountAsync(string name, string reference, IReadOnlyDictionary<string, string>? eventAttributes = null, CancellationToken cancellationToken = default);

    /// <summary>Pairs with <see cref="MountAsync"/>; the last one unmounts option volumes.</summary>
    Task UnmountAsync(string name, string reference, CancellationToken cancellationToken = default);

    /// <summary>Sizes and user counts of local volumes without driver options (moby LocalVolumesSize).</summary>
    Task<IReadOnlyList<VolumeUsage>> GetUsageAsync(CancellationToken cancellationToken = default);
}
