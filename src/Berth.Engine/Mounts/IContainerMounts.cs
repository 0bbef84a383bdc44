using Berth.Engine.Containers;

namespace Berth.Engine.Mounts;

/// <summary>
/// A container's mounts over its life (moby daemon/volumes.go, mounts.go): register at create
/// (volumes created or referenced, copy-up), mount at start, unmount at exit, release at remove.
/// </summary>
public interface IContainerMounts
{
    /// <summary>
    /// Resolves --volumes-from, Binds, Mounts and the config's volumes into mount points,
    /// creating volumes and registering the container as their user. On failure nothing stays
    /// referenced and anonymous volumes made here are removed again.
    /// </summary>
    Task<IReadOnlyList<MountPoint>> RegisterAsync(string containerId, ContainerSettings config, HostSettings host,
        Func<string, ContainerRecord> lookup, CancellationToken cancellationToken = default);

    /// <summary>Copies the image's content at each copy-data volume's destination into the volume while it is empty.</summary>
    Task PopulateAsync(string containerId, IReadOnlyList<MountPoint> mounts, CancellationToken cancellationToken = default);

    /// <summary>Mounts the volumes (volume "mount" events) and returns what the runtime puts into the spec.</summary>
    Task<IReadOnlyList<RuntimeMount>> MountAsync(ContainerRecord record, CancellationToken cancellationToken = default);

    /// <summary>Pairs with <see cref="MountAsync"/>; idempotent per start.</summary>
    Task UnmountAsync(ContainerRecord record);

    /// <summary>Drops the container's references; with <paramref name="removeAnonymous"/> removes its anonymous volumes (rm -v, --rm).</summary>
    Task ReleaseAsync(IReadOnlyList<MountPoint> mounts, string containerId, bool removeAnonymous);
}

/// <summary>No volumes: containers without mount support (unit tests of the container service).</summary>
public sealed class NoContainerMounts : IContainerMounts
{
    public static NoContainerMounts Instance { get; } = new();

    public Task<IReadOnlyList<MountPoint>> RegisterAsync(string containerId, ContainerSettings config, HostSettings host,
        Func<string, ContainerRecord> lookup, CancellationToken cancellationToken = default) => Task.FromResult<IReadOnlyList<MountPoint>>([]);

    public Task PopulateAsync(string containerId, IReadOnlyList<MountPoint> mounts, CancellationToken cancellationToken = default) => Task.CompletedTask;

    public Task<IReadOnlyList<RuntimeMount>> MountAsync(ContainerRecord record, CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyList<RuntimeMount>>([]);

    public Task UnmountAsync(ContainerRecord record) => Task.CompletedTask;

    public Task ReleaseAsync(IReadOnlyList<MountPoint> mounts, string containerId, bool removeAnonymous) => Task.CompletedTask;
}
