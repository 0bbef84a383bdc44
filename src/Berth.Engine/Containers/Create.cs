using Berth.Engine.Errors;
using Berth.Engine.Images;
using Berth.Engine.State;

namespace Berth.Engine.Containers;

public sealed partial class ContainerService
{
    private const int NameRetries = 6;

    /// <summary>
    /// POST /containers/create: image lookup, config merge, name, files, read-write layer, row.
    /// Each step undoes the earlier ones when a later one fails, so a failed create leaves nothing.
    /// </summary>
    public async Task<CreateResult> CreateAsync(CreateRequest request, CancellationToken cancellationToken = default)
    {
        Restart.RestartPolicies.Validate(request.HostConfig.RestartPolicy, request.HostConfig.AutoRemove);
        var warnings = new List<string>();
        HostSettings hostConfig = VerifyForCreate(request, warnings);
        warnings.AddRange(Networks.PortSpecs.Validate(request.Config, request.HostConfig));
        // 404 "No such image: x" is what makes the CLI try a pull.
        ImageDetails image = _images.Inspect(request.Config.Image);
        ContainerSettings config = ContainerConfigMerge.Merge(request.Config, image.Config.Config);
        LogSettings logConfig = Logs.LogDrivers.Merge(request.HostConfig.LogConfig, _options.DefaultLogConfig);
        (string path, List<string> args) = ContainerConfigMerge.EntrypointAndArgs(config.Entrypoint, config.Cmd);
        IReadOnlyList<Digest> chains = Digest.Chains(image.Config.DiffIds);
        // Validated before anything exists, so bad endpoint settings leave nothing behind.
        var networkSettings = Networking?.Configure(new Networks.NetworkConfigRequest(request.HostConfig.NetworkMode, request.EndpointsConfig, request.Config.MacAddress))
            ?? new Networks.ContainerNetworkSettings();
        string? topChain = chains.Count > 0 ? chains[^1].ToString() : null;

        string id = IdGenerator.NewId();
        string name = ReserveName(id, request.Name);
        if (config.Hostname.Length == 0)
        {
            config = config with { Hostname = id[..IdGenerator.ShortLength] };
        }
        string dir = Path.Combine(ContainersDir, id);
        var record = new ContainerRecord
        {
            Id = id,
            Name = name,
            Created = _time.GetUtcNow(),
            Path = path,
            Args = args,
            ImageId = image.Id.ToString(),
            TopChainId = topChain,
            Config = config,
            HostConfig = hostConfig with { Runtime = _options.Runtimes.Resolve(hostConfig.Runtime), LogConfig = logConfig },
            ContainerDir = dir,
            // dockerd leaves LogPath empty for drivers that keep no file.
            LogPath = logConfig.Type == Logs.LogDrivers.None ? "" : Path.Combine(dir, id + "-json.log"),
            NetworkSettings = networkSettings,
        };
        bool layerCreated = false;
        IReadOnlyList<Mounts.MountPoint> mounts = [];
        try
        {
            ContainerFiles.Write(record, _options.HostResolvConf, _options.DefaultDns);
            _layers.CreateReadWrite(id, topChain is null ? null : Digest.Parse(topChain));
            layerCreated = true;
            mounts = await Mounts.RegisterAsync(id, config, record.HostConfig, Get, cancellationToken).ConfigureAwait(false);
            await Mounts.PopulateAsync(id, mounts, cancellationToken).ConfigureAwait(false);
            record = record with { MountPoints = mounts };
            _store.Save(record);
        }
        catch
        {
            await Mounts.ReleaseAsync(mounts, id, removeAnonymous: true).ConfigureAwait(false);
            _names.Unregister(id);
            if (layerCreated)
            {
                TryRemoveLayer(id);
            }
            TryDeleteDirectory(dir);
            throw;
        }
        lock (_lock)
        {
            _entries[id] = new Entry(record);
        }
        Publish(record, "create");
        return new CreateResult(id, warnings);
    }

    /// <summary>A given name is validated and reserved as is; otherwise dockerd's generator, retried on collisions.</summary>
    private string ReserveName(string id, string? requested)
    {
        if (!string.IsNullOrEmpty(requested))
        {
            _names.Register(id, requested);
            return requested.TrimStart('/');
        }
        for (int retry = 0; ; retry++)
        {
            string candidate = NameGenerator.Generate(retry);
            if (_names.TryResolve(candidate) is not null && retry < NameRetries)
            {
                continue;
            }
            try
            {
                _names.Register(id, candidate);
                return candidate;
            }
            catch (DaemonException e) when (e.Kind == ErrorKind.Conflict && retry < NameRetries)
            {
                // raced with another create: try the next candidate
            }
        }
    }

    private void TryRemoveLayer(string id)
    {
        try
        {
            _layers.RemoveReadWrite(id);
        }
        catch (Exception e) when (e is DaemonException or IOException or UnauthorizedAccessException)
        {
            LogCleanupFailed(id, "read-write layer", e.Message);
        }
    }

    private void TryDeleteDirectory(string dir)
    {
        try
        {
            if (Directory.Exists(dir))
            {
                Directory.Delete(dir, recursive: true);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            LogCleanupFailed(Path.GetFileName(dir), dir, e.Message);
        }
    }
}
