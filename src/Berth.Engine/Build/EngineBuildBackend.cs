using System.Text;
using Berth.Engine.Containers;
using Berth.Engine.Errors;
using Berth.Engine.Images;

namespace Berth.Engine.Build;

/// <summary>
/// The builder's backend on the real engine: images from the image service, RUN containers from
/// the container service (the same create/attach/start/wait path as docker run), and child
/// images written by the image service. <paramref name="writeContainerLayer"/> writes a
/// container's changes as a layer tar (the commit code's diff writer). Base images missing
/// locally come from <paramref name="puller"/> (none: such a FROM fails as an unknown image).
/// </summary>
public sealed class EngineBuildBackend(
    ImageService images,
    IContainerService containers,
    IBuildCacheStore cache,
    Func<string, Stream, CancellationToken, Task> writeContainerLayer,
    IBuildPuller? puller = null) : IBuildBackend
{
    public BuildImage? FindImage(string reference) =>
        images.FindWithLayers(reference) is { } found ? new BuildImage(found.Id, found.Config, found.LayerDirs) : null;

    public async Task<BuildImage> PullAsync(string reference, string? platform, IBuildOutput output, CancellationToken cancellationToken)
    {
        if (puller is null)
        {
            throw DaemonException.NotFound($"pull access denied for {reference}, repository does not exist or may require 'docker login'");
        }
        await puller.PullAsync(reference, platform, output, cancellationToken);
        // A reference without a tag was pulled as :latest, which is also what the lookup defaults to.
        return FindImage(reference) ?? throw DaemonException.NotFound($"No such image: {reference}");
    }

    public async Task<RunResult> RunAsync(BuildImage parent, RunConfig config, IReadOnlyList<string> command, BuildOptions options, IBuildOutput output, CancellationToken cancellationToken)
    {
        if (parent.Id is not { } parentId)
        {
            throw DaemonException.InvalidParameter("RUN needs a base image with a shell; this stage starts FROM scratch");
        }
        var request = new CreateRequest(null,
            new ContainerSettings
            {
                Image = parentId.ToString(),
                Cmd = [.. command],
                Entrypoint = [],
                Env = config.Env,
                User = config.User,
                WorkingDir = config.WorkingDir,
                AttachStdout = true,
                AttachStderr = true,
            },
            new HostSettings
            {
                NetworkMode = options.NetworkMode ?? "bridge",
                ShmSize = options.ShmSize > 0 ? options.ShmSize : 64L * 1024 * 1024,
                Memory = options.Memory,
                MemorySwap = options.MemorySwap,
                CpuShares = options.CpuShares,
                CpuPeriod = options.CpuPeriod,
                CpuQuota = options.CpuQuota,
                CpusetCpus = options.CpusetCpus ?? "",
                CpusetMems = options.CpusetMems ?? "",
                ExtraHosts = options.ExtraHosts.Count > 0 ? options.ExtraHosts : null,
            },
            options.Platform);
        var created = await containers.CreateAsync(request, cancellationToken);
        string id = created.Id;
        if (!options.Quiet)
        {
            await output.WriteAsync($" ---> Running in {id[..12]}\n", cancellationToken);
        }
        await using var streams = await containers.AttachAsync(id, cancellationToken);
        var exit = containers.WaitAsync(id, WaitCondition.NextExit, cancellationToken);
        await containers.StartAsync(id, cancellationToken);
        var decoder = Encoding.UTF8.GetDecoder();
        var chars = new char[8192 + 4];
        await foreach (var chunk in streams.Output.ReadAllAsync(cancellationToken))
        {
            if (options.Quiet)
            {
                continue;
            }
            int n = decoder.GetChars(chunk.Data.Span, chars, flush: false);
            if (n > 0)
            {
                await output.WriteAsync(new string(chars, 0, n), cancellationToken);
            }
        }
        var result = await exit;
        return new RunResult(id, result.StatusCode);
    }

    public async Task<BuildImage> CommitContainerAsync(string containerId, BuildImage parent, RunConfig config, string createdBy, CancellationToken cancellationToken)
    {
        string tar = Path.Combine(Path.GetTempPath(), $"berth-commit-{containerId}.tar");
        try
        {
            await using (var file = File.Create(tar))
            {
                await writeContainerLayer(containerId, file, cancellationToken);
            }
            await using var layer = File.OpenRead(tar);
            return await CommitAsync(parent, layer, config, createdBy, cancellationToken);
        }
        finally
        {
            File.Delete(tar);
        }
    }

    public async Task<BuildImage> CommitAsync(BuildImage parent, Stream? layerTar, RunConfig config, string createdBy, CancellationToken cancellationToken)
    {
        var id = await images.CreateChildAsync(new ChildImageRequest(parent.Id, layerTar, config, createdBy), cancellationToken);
        return FindImage(id.ToString()) ?? throw DaemonException.System($"image {id} vanished after the build step wrote it");
    }

    public Task RemoveContainerAsync(string containerId, CancellationToken cancellationToken) =>
        containers.RemoveAsync(containerId, force: true, removeVolumes: true, cancellationToken);

    public void Tag(Digest imageId, string reference)
    {
        int colon = reference.LastIndexOf(':');
        bool hasTag = colon > reference.LastIndexOf('/');
        images.Tag(imageId.ToString(), hasTag ? reference[..colon] : reference, hasTag ? reference[(colon + 1)..] : null);
    }

    public BuildImage? CacheLookup(string key) => cache.Lookup(key) is { } id ? FindImage(id) : null;

    public void CacheStore(string key, Digest imageId) => cache.Store(key, imageId.ToString());
}
