using Berth.Engine.Containers;
using Berth.Engine.Errors;
using Berth.Engine.Volumes;
using Microsoft.Extensions.Logging;

namespace Berth.Engine.Mounts;

/// <summary>
/// <see cref="IContainerMounts"/> over the volume service (moby registerMountPoints,
/// createContainerVolumesOS, populateVolumes, setupMounts, removeMountPoints).
/// </summary>
public sealed class ContainerMounts : IContainerMounts
{
    private readonly IVolumeService _volumes;
    private readonly IContainerFilesystem _filesystem;
    private readonly IContainerFileOps _files;
    private readonly ILogger? _log;

    public ContainerMounts(IVolumeService volumes, IContainerFilesystem filesystem, IContainerFileOps files, ILogger? log = null)
    {
        _volumes = volumes;
        _filesystem = filesystem;
        _files = files;
        _log = log;
    }

    public async Task<IReadOnlyList<MountPoint>> RegisterAsync(string containerId, ContainerSettings config, HostSettings host,
        Func<string, ContainerRecord> lookup, CancellationToken cancellationToken = default)
    {
        var points = new List<MountPoint>();
        var referenced = new List<(string Name, bool Created)>();
        var binds = new HashSet<string>(StringComparer.Ordinal);
        var tmpfs = host.Tmpfs ?? new Dictionary<string, string>();
        try
        {
            foreach (string dest in tmpfs.Keys)
            {
                if (MountParser.ValidateTmpfsDestination(dest) is { } error)
                {
                    throw DaemonException.InvalidParameter(error);
                }
            }
            foreach (string spec in host.VolumesFrom ?? [])
            {
                var (source, mode) = MountParser.ParseVolumesFrom(spec);
                ContainerRecord from;
                try
                {
                    from = lookup(source);
                }
                catch (DaemonException e) when (e.Kind == ErrorKind.NotFound)
                {
                    throw new DaemonException(ErrorKind.InvalidParameter, e.Message, e);
                }
                foreach (MountPoint m in from.MountPoints)
                {
                    var copy = m with { RW = m.RW && MountParser.ReadWrite(mode), CopyData = false };
                    if (copy.Type == MountTypes.Volume && copy.Name.Length > 0)
                    {
                        await _volumes.AcquireAsync(copy.Name, containerId, cancellationToken).ConfigureAwait(false);
                        referenced.Add((copy.Name, false));
                    }
                    Put(points, copy);
                }
            }
            foreach (string raw in host.Binds ?? [])
            {
                MountPoint bind = MountParser.ParseBind(raw, host.VolumeDriver);
                if (binds.Contains(bind.Destination) || tmpfs.ContainsKey(bind.Destination))
                {
                    throw DaemonException.InvalidParameter(Messages.DuplicateMountPoint(bind.Destination));
                }
                if (bind.Type == MountTypes.Volume)
                {
                    bind = await CreateVolumeAsync(bind, containerId, null, null, referenced, cancellationToken).ConfigureAwait(false);
                    if (bind.Mode.Length == 0)
                    {
                        bind = bind with { Mode = "z" }; // moby setBindModeIfNull for local volumes
                    }
                }
                binds.Add(bind.Destination);
                Put(points, bind);
            }
            foreach (MountSettings settings in host.Mounts ?? [])
            {
                MountPoint mount = MountParser.ParseMount(settings, p => File.Exists(p) || Directory.Exists(p));
                if (binds.Contains(mount.Destination))
                {
                    throw DaemonException.InvalidParameter(Messages.DuplicateMountPoint(settings.Target));
                }
                if (mount.Type == MountTypes.Volume)
                {
                    mount = await CreateVolumeAsync(mount, containerId, settings.VolumeOptions?.DriverOptions, settings.VolumeOptions?.Labels,
                        referenced, cancellationToken).ConfigureAwait(false);
                    mount = mount with { Mode = mount.Mode.Length == 0 ? "z" : mount.Mode };
                }
                binds.Add(mount.Destination);
                Put(points, mount);
            }
            // Image and -v /path volumes: anonymous, unless something is mounted there already.
            foreach (string spec in config.Volumes ?? [])
            {
                string destination = MountParser.CleanPath(spec);
                if (points.Any(p => p.Destination == destination) || tmpfs.ContainsKey(destination))
                {
                    continue;
                }
                var anonymous = new MountPoint { Type = MountTypes.Volume, Destination = destination, CopyData = true, AnonymousSpec = true };
                Put(points, await CreateVolumeAsync(anonymous, containerId, null, null, referenced, cancellationToken).ConfigureAwait(false));
            }
            // A mount replaced at the same destination (moby dereferenceIfExists) no longer holds its volume.
            var kept = points.Where(p => p.Type == MountTypes.Volume).Select(p => p.Name).ToHashSet(StringComparer.Ordinal);
            foreach (var (name, _) in referenced.Where(r => !kept.Contains(r.Name)))
            {
                await _volumes.ReleaseAsync(name, containerId, cancellationToken).ConfigureAwait(false);
            }
            return points;
        }
        catch
        {
            await UndoAsync(referenced, containerId).ConfigureAwait(false);
            throw;
        }
    }

    public async Task PopulateAsync(string containerId, IReadOnlyList<MountPoint> mounts, CancellationToken cancellationToken = default)
    {
        var copies = mounts.Where(m => m.Type == MountTypes.Volume && m.CopyData && m.Source.Length > 0).ToList();
        if (copies.Count == 0)
        {
            return;
        }
        var record = new ContainerRecord
        {
            Id = containerId, Name = "", Created = default, Path = "", Args = [], ImageId = "",
            Config = new ContainerSettings(), HostConfig = new HostSettings(), ContainerDir = "", LogPath = "",
        };
        using IContainerRoot root = await _filesystem.OpenAsync(record, [], cancellationToken).ConfigureAwait(false);
        foreach (MountPoint m in copies)
        {
            try
            {
                _files.CopyImageContent(root.Fd, m.Destination, m.Source);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw DaemonException.System($"failed to populate volume: {e.Message}", e);
            }
        }
    }

    public async Task<IReadOnlyList<RuntimeMount>> MountAsync(ContainerRecord record, CancellationToken cancellationToken = default)
    {
        var result = new List<RuntimeMount>();
        var mounted = new List<MountPoint>();
        try
        {
            foreach (MountPoint m in record.MountPoints.OrderBy(m => Depth(m.Destination)))
            {
                switch (m.Type)
                {
                    case MountTypes.Volume:
                        var attributes = new Dictionary<string, string>
                        {
                            ["destination"] = m.Destination,
                            ["read/write"] = m.RW ? "true" : "false",
                            ["propagation"] = m.Propagation,
                        };
                        string path = await _volumes.MountAsync(m.Name, record.Id, attributes, cancellationToken).ConfigureAwait(false);
                        mounted.Add(m);
                        result.Add(new RuntimeMount("bind", path, m.Destination, BindOptions(m)));
                        break;
                    case MountTypes.Bind:
                        if (!File.Exists(m.Source) && !Directory.Exists(m.Source))
                        {
                            if (m.SkipMountpointCreation)
                            {
                                throw DaemonException.InvalidParameter(Messages.InvalidMountConfig(m.Type, Messages.BindSourceMissing(m.Source)));
                            }
                            Directory.CreateDirectory(m.Source); // -v /host/dir:/x creates the host directory, as dockerd does
                        }
                        result.Add(new RuntimeMount("bind", m.Source, m.Destination, BindOptions(m)));
                        break;
                    case MountTypes.Tmpfs:
                        result.Add(new RuntimeMount("tmpfs", "tmpfs", m.Destination, m.TmpfsData.Length == 0 ? [] : m.TmpfsData.Split(',')));
                        break;
                }
            }
            return result;
        }
        catch
        {
            foreach (MountPoint m in mounted)
            {
                await TryUnmountAsync(m.Name, record.Id).ConfigureAwait(false);
            }
            throw;
        }
    }

    public async Task UnmountAsync(ContainerRecord record)
    {
        foreach (MountPoint m in record.MountPoints.Where(m => m.Type == MountTypes.Volume))
        {
            await TryUnmountAsync(m.Name, record.Id).ConfigureAwait(false);
        }
    }

    public async Task ReleaseAsync(IReadOnlyList<MountPoint> mounts, string containerId, bool removeAnonymous)
    {
        foreach (MountPoint m in mounts.Where(m => m.Type == MountTypes.Volume && m.Name.Length > 0))
        {
            await _volumes.ReleaseAsync(m.Name, containerId).ConfigureAwait(false);
            if (removeAnonymous && m.AnonymousSpec)
            {
                try
                {
                    await _volumes.RemoveAsync(m.Name, force: false).ConfigureAwait(false);
                }
                catch (DaemonException e) when (e.Kind is ErrorKind.Conflict or ErrorKind.NotFound)
                {
                    // still used by another container (--volumes-from), or already gone: dockerd ignores both
                }
            }
        }
    }

    /// <summary>moby: "rbind" ("bind" when non-recursive), "ro" when read-only, and the propagation (rprivate when none was given).</summary>
    internal static List<string> BindOptions(MountPoint m)
    {
        var options = new List<string> { m.NonRecursive ? "bind" : "rbind" };
        if (!m.RW)
        {
            options.Add("ro");
        }
        options.Add(m.Propagation.Length > 0 ? m.Propagation : MountParser.DefaultPropagation);
        return options;
    }

    private async Task<MountPoint> CreateVolumeAsync(MountPoint m, string containerId, IReadOnlyDictionary<string, string>? options,
        IReadOnlyDictionary<string, string>? labels, List<(string Name, bool Created)> referenced, CancellationToken cancellationToken)
    {
        bool existed = false;
        if (m.Name.Length > 0)
        {
            try
            {
                await _volumes.GetAsync(m.Name, cancellationToken).ConfigureAwait(false);
                existed = true;
            }
            catch (DaemonException e) when (e.Kind == ErrorKind.NotFound)
            {
            }
        }
        VolumeInfo volume = await _volumes.CreateAsync(new VolumeCreateRequest(
            m.Name.Length == 0 ? null : m.Name, m.Driver.Length == 0 ? null : m.Driver, options, labels, containerId), cancellationToken).ConfigureAwait(false);
        referenced.Add((volume.Name, !existed));
        return m with { Name = volume.Name, Source = volume.Mountpoint, Driver = volume.Driver };
    }

    private async Task UndoAsync(List<(string Name, bool Created)> referenced, string containerId)
    {
        foreach (var (name, created) in referenced)
        {
            try
            {
                await _volumes.ReleaseAsync(name, containerId).ConfigureAwait(false);
                if (created)
                {
                    await _volumes.RemoveAsync(name, force: true).ConfigureAwait(false);
                }
            }
            catch (DaemonException e)
            {
                _log?.LogWarning("Could not undo volume {Name} of a failed create: {Error}", name, e.Message);
            }
        }
    }

    private async Task TryUnmountAsync(string name, string containerId)
    {
        try
        {
            await _volumes.UnmountAsync(name, containerId).ConfigureAwait(false);
        }
        catch (DaemonException e)
        {
            _log?.LogWarning("Could not unmount volume {Name} of {Container}: {Error}", name, containerId, e.Message);
        }
    }

    /// <summary>A later mount at the same destination replaces the earlier one (moby dereferenceIfExists).</summary>
    private static void Put(List<MountPoint> points, MountPoint point)
    {
        int i = points.FindIndex(p => p.Destination == point.Destination);
        if (i >= 0)
        {
            points[i] = point;
        }
        else
        {
            points.Add(point);
        }
    }

    private static int Depth(string path) => path.Count(c => c == '/');
}
