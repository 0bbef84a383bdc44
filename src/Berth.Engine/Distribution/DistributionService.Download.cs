using Berth.Engine.Errors;
using Berth.Engine.Images;
using Berth.Engine.Images.Archive;

namespace Berth.Engine.Distribution;

public sealed partial class DistributionService
{
    private const int MaxConfigSize = 8 << 20;

    /// <summary>
    /// moby pullSchema2Layers, reordered for speed: the (small) config first, so layers already
    /// present are known by chain id before anything downloads; then every missing layer
    /// downloads, decompresses and unpacks at once (bounded by max-concurrent-downloads), each
    /// verified against its blob digest and DiffID; layers are committed bottom first. The image
    /// id (config digest) and the config bytes come back (null bytes: the image was already here).
    /// </summary>
    private async Task<(Digest Id, byte[]? ConfigBytes)> PullImageAsync(RegistryClient client, OciManifest manifest, ProgressSink sink, CancellationToken cancellationToken)
    {
        if (manifest.Config is not { } configDescriptor || !Digest.TryParse(configDescriptor.Digest, out var configDigest))
        {
            throw DaemonException.InvalidParameter(Messages.UnsupportedManifestFormat);
        }
        if (_images.HasImage(configDigest))
        {
            return (configDigest, null);
        }
        if (!ManifestMediaTypes.IsSupportedBlob(configDescriptor.MediaType))
        {
            throw DaemonException.InvalidParameter(Messages.UnsupportedMediaType(configDescriptor.MediaType!));
        }
        var descriptors = manifest.Layers ?? [];
        var blobDigests = new Digest[descriptors.Count];
        for (int i = 0; i < descriptors.Count; i++)
        {
            if (!Digest.TryParse(descriptors[i].Digest, out blobDigests[i]))
            {
                throw DaemonException.InvalidParameter($"could not validate layer digest \"{descriptors[i].Digest}\": invalid checksum digest format");
            }
            if (!ManifestMediaTypes.IsSupportedBlob(descriptors[i].MediaType))
            {
                throw DaemonException.InvalidParameter(Messages.UnsupportedMediaType(descriptors[i].MediaType!));
            }
        }

        var configBytes = await FetchConfigAsync(client, configDigest, cancellationToken);
        var config = ImageService.ParseConfig(configBytes);
        var diffIds = config.DiffIds;
        if (config.RootFs is null)
        {
            throw DaemonException.InvalidParameter(Messages.RootFsInvalid);
        }
        if (diffIds.Count != descriptors.Count)
        {
            throw DaemonException.InvalidParameter(Messages.RootFsMismatch);
        }
        var chains = Digest.Chains(diffIds);
        int present = 0;
        for (int i = chains.Count - 1; i >= 0; i--)
        {
            if (_layers.Get(chains[i]) is not null)
            {
                present = i + 1;
                break;
            }
        }
        for (int i = 0; i < descriptors.Count; i++)
        {
            await sink(ProgressMessage.Update(ShortId(blobDigests[i]), i < present ? "Already exists" : "Pulling fs layer"), cancellationToken);
        }

        using var failed = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var slots = new SemaphoreSlim(Math.Max(1, _hosts.Options.MaxConcurrentDownloads));
        var downloads = new Task<StagedLayer>?[descriptors.Count];
        Exception? firstError = null;
        for (int i = present; i < descriptors.Count; i++)
        {
            downloads[i] = FailFast(DownloadLayerAsync(client, descriptors[i], blobDigests[i], slots, sink, failed.Token));
        }

        // The first real failure cancels the other downloads and is the one reported.
        async Task<StagedLayer> FailFast(Task<StagedLayer> download)
        {
            try
            {
                return await download;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                Interlocked.CompareExchange(ref firstError, e, null);
                await failed.CancelAsync();
                throw;
            }
        }
        var sources = new List<(Digest, BlobSource)>();
        var staged = new StagedLayer?[descriptors.Count];
        try
        {
            for (int i = present; i < descriptors.Count; i++)
            {
                staged[i] = await downloads[i]!;
                if (staged[i]!.DiffId != diffIds[i])
                {
                    throw DaemonException.InvalidParameter(Messages.RootFsMismatch);
                }
            }
            // One flush for every layer of the pull (the extraction already started their writeback).
            _staging.Sync(staged.OfType<StagedLayer>());
            Digest? parent = present > 0 ? chains[present - 1] : null;
            for (int i = present; i < descriptors.Count; i++)
            {
                var id = ShortId(blobDigests[i]);
                await sink(ProgressMessage.Progress(id, "Extracting", descriptors[i].Size, descriptors[i].Size), cancellationToken);
                parent = _staging.Commit(staged[i]!, parent).ChainId;
                await sink(ProgressMessage.Update(id, "Pull complete"), cancellationToken);
                sources.Add((diffIds[i], new BlobSource(blobDigests[i], client.Endpoint.Host, client.Repository,
                    descriptors[i].MediaType ?? ManifestMediaTypes.DockerLayerGzip, descriptors[i].Size)));
            }
        }
        catch
        {
            await failed.CancelAsync();
            foreach (var task in downloads)
            {
                if (task is null)
                {
                    continue;
                }
                try
                {
                    (await task).Dispose();
                }
                catch (Exception)
                {
                    // The first failure is the one reported; the others follow from cancelling.
                }
            }
            if (firstError is not null && !cancellationToken.IsCancellationRequested)
            {
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(firstError);
            }
            throw;
        }
        _content.Write(configBytes, configDigest);
        _blobs.AddMany(sources);
        return (configDigest, configBytes);
    }

    private static async Task<byte[]> FetchConfigAsync(RegistryClient client, Digest digest, CancellationToken cancellationToken)
    {
        using var response = await client.GetBlobAsync(digest, cancellationToken);
        var bytes = await RegistryClient.ReadBoundedAsync(response.Content, MaxConfigSize, cancellationToken);
        if (Digest.Compute(bytes) != digest)
        {
            throw DaemonException.System(Messages.ConfigVerificationFailed(digest));
        }
        return bytes;
    }

    /// <summary>
    /// One layer: GET the blob and unpack it as it arrives (the store detects gzip/zstd), hashing
    /// the compressed bytes on the way. A digest mismatch wins over whatever the unpacking said
    /// about tampered bytes, and drops the unpacked copy.
    /// </summary>
    private async Task<StagedLayer> DownloadLayerAsync(RegistryClient client, OciDescriptor descriptor, Digest digest, SemaphoreSlim slots,
        ProgressSink sink, CancellationToken cancellationToken)
    {
        await Task.Yield();
        var id = ShortId(digest);
        if (!slots.Wait(0, CancellationToken.None))
        {
            await sink(ProgressMessage.Update(id, "Waiting"), cancellationToken);
            await slots.WaitAsync(cancellationToken);
        }
        try
        {
            using var response = await client.GetBlobAsync(digest, cancellationToken);
            long total = descriptor.Size > 0 ? descriptor.Size : response.Content.Headers.ContentLength ?? 0;
            await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
            using var hashing = new HashingStream(body);
            using var progress = new ProgressStream(hashing, total, id, "Downloading", sink);
            StagedLayer staged;
            try
            {
                staged = await _staging.StageAsync(progress, cancellationToken);
            }
            catch (DaemonException) when (!cancellationToken.IsCancellationRequested)
            {
                await DrainBoundedAsync(hashing, total, cancellationToken);
                if (hashing.Digest() != digest)
                {
                    throw DaemonException.System(Messages.LayerVerificationFailed(digest));
                }
                throw;
            }
            try
            {
                await hashing.DrainAsync(cancellationToken);
                if (hashing.Digest() != digest)
                {
                    throw DaemonException.System(Messages.LayerVerificationFailed(digest));
                }
                await sink(ProgressMessage.Update(id, "Verifying Checksum"), cancellationToken);
                await sink(ProgressMessage.Update(id, "Download complete"), cancellationToken);
                return staged;
            }
            catch
            {
                staged.Dispose();
                throw;
            }
        }
        finally
        {
            slots.Release();
        }
    }

    /// <summary>Reads the rest of a blob after a failed unpack, but never much more than it claimed to be.</summary>
    private static async Task DrainBoundedAsync(HashingStream hashing, long total, CancellationToken cancellationToken)
    {
        var buffer = new byte[64 * 1024];
        try
        {
            while (hashing.BytesRead <= total && await hashing.ReadAsync(buffer, cancellationToken) > 0)
            {
            }
        }
        catch (IOException)
        {
        }
    }
}
