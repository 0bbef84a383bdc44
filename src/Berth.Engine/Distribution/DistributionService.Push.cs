using Berth.Engine.Errors;
using Berth.Engine.Images;
using Berth.Engine.Images.References;

namespace Berth.Engine.Distribution;

/// <summary>POST /images/{name}/push: a tagged reference, or a bare name (every tag of the repository).</summary>
public sealed record PushRequest(ImageReference Reference, RegistryAuth Auth);

public sealed partial class DistributionService
{
    /// <summary>
    /// moby distribution.Push: the "push refers to" line, then per tag its layers (skipped when the
    /// registry has them, mounted from another repository, or compressed and uploaded), the config,
    /// the schema2 manifest, and the digest line.
    /// </summary>
    public async Task PushAsync(PushRequest request, ProgressSink sink, CancellationToken cancellationToken)
    {
        var reference = request.Reference;
        var repository = reference.TrimNamed();
        var endpoints = _hosts.PushEndpoints(reference.Domain);
        await sink(ProgressMessage.Message(null, Messages.PushRefersTo(repository.ToString())), cancellationToken);
        if (!_images.HasRepository(repository))
        {
            throw DaemonException.NotFound(Messages.NoLocalImageWithTag(repository.FamiliarName));
        }
        await OnEndpointsAsync(endpoints, repository.ToString(), async endpoint =>
        {
            using var client = new RegistryClient(endpoint, reference.Path, request.Auth, CertsDir, "pull", "push");
            await client.PingAsync(cancellationToken);
            if (reference.Tag is not null)
            {
                var image = _images.FindTagged(reference) ?? throw DaemonException.NotFound(Messages.TagDoesNotExist(reference.FamiliarString));
                await PushTagAsync(client, reference, image, sink, cancellationToken);
                return true;
            }
            if (reference.Digest is not null)
            {
                throw DaemonException.InvalidParameter(Messages.CannotPushDigest);
            }
            int pushed = 0;
            foreach (var tag in _images.TagsOf(repository))
            {
                if (_images.FindTagged(tag) is { } image)
                {
                    pushed++;
                    await PushTagAsync(client, tag, image, sink, cancellationToken);
                }
            }
            return pushed > 0 ? true : throw DaemonException.NotFound(Messages.NoTagsToPush(repository.FamiliarName));
        }, cancellationToken);
        _images.PublishEvent("push", reference.FamiliarString, repository.FamiliarName);
    }

    private async Task PushTagAsync(RegistryClient client, ImageReference tag, PushableImage image, ProgressSink sink, CancellationToken cancellationToken)
    {
        int count = image.DiffIds.Count;
        for (int i = count - 1; i >= 0; i--)
        {
            await sink(ProgressMessage.Update(ShortId(image.DiffIds[i]), "Preparing"), cancellationToken);
        }
        using var slots = new SemaphoreSlim(Math.Max(1, _hosts.Options.MaxConcurrentUploads));
        using var failed = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var uploads = new Task<BlobSource>[count];
        Exception? firstError = null;
        for (int i = count - 1; i >= 0; i--)
        {
            uploads[i] = FailFast(PushLayerAsync(client, image.DiffIds[i], image.ChainIds[i], slots, sink, failed.Token));
        }

        async Task<BlobSource> FailFast(Task<BlobSource> upload)
        {
            try
            {
                return await upload;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                Interlocked.CompareExchange(ref firstError, e, null);
                await failed.CancelAsync();
                throw;
            }
        }

        BlobSource[] layers;
        try
        {
            layers = await Task.WhenAll(uploads);
        }
        catch when (firstError is not null && !cancellationToken.IsCancellationRequested)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(firstError);
            throw;
        }

        var configDigest = image.Id;
        if (await client.StatBlobAsync(configDigest, cancellationToken) is null)
        {
            var location = await client.StartUploadAsync(null, null, cancellationToken);
            await client.CompleteUploadAsync(location!, configDigest, new ByteArrayContent(image.ConfigBytes), cancellationToken);
        }
        var manifest = Schema2Manifest.Write(configDigest, image.ConfigBytes.Length, layers);
        await client.PutManifestAsync(tag.Tag!, manifest, Images.Archive.MediaTypes.DockerManifest, cancellationToken);
        var manifestDigest = Digest.Compute(manifest);
        await sink(ProgressMessage.Message(null, $"{tag.Tag}: digest: {manifestDigest} size: {manifest.Length}"), cancellationToken);
        _images.AddDigestReference(tag, manifestDigest, image.Id);
        await sink(new ProgressMessage(ProgressKind.PushResult, null, null, Result: new PushResult(tag.Tag!, manifestDigest.ToString(), manifest.Length)), cancellationToken);
    }

    /// <summary>
    /// moby pushDescriptor.Upload: a blob this registry is known to have for the layer is checked
    /// (HEAD) or mounted from its repository; otherwise the layer is gzip-compressed as it streams
    /// into a PATCH, hashed on the way, and committed with PUT ?digest=.
    /// </summary>
    private async Task<BlobSource> PushLayerAsync(RegistryClient client, Digest diffId, Digest chainId, SemaphoreSlim slots, ProgressSink sink, CancellationToken cancellationToken)
    {
        await Task.Yield();
        var id = ShortId(diffId);
        if (!slots.Wait(0, CancellationToken.None))
        {
            await sink(ProgressMessage.Update(id, "Waiting"), cancellationToken);
            await slots.WaitAsync(cancellationToken);
        }
        try
        {
            var host = client.Endpoint.Host;
            var known = _blobs.Get(diffId).Where(s => s.Registry == host).ToList();
            foreach (var source in known.Where(s => s.Repository == client.Repository))
            {
                if (await client.StatBlobAsync(source.Blob, cancellationToken) is { } size)
                {
                    await sink(ProgressMessage.Update(id, "Layer already exists"), cancellationToken);
                    return source with { Size = size > 0 ? size : source.Size };
                }
            }
            Uri? location = null;
            foreach (var source in known.Where(s => s.Repository != client.Repository))
            {
                try
                {
                    // Token servers grant a mount only with pull access to the source repository.
                    client.AddScope($"repository:{source.Repository}:pull");
                    location = await client.StartUploadAsync(source.Blob, source.Repository, cancellationToken);
                }
                catch (DaemonException e) when (e is RegistryErrorException or RegistryHttpException)
                {
                    continue;
                }
                if (location is null)
                {
                    var from = ImageReference.TryParseNormalizedNamed(host + "/" + source.Repository, out var parsed, out _) ? parsed.FamiliarName : source.Repository;
                    await sink(ProgressMessage.Update(id, "Mounted from " + from), cancellationToken);
                    var mounted = source with { Repository = client.Repository };
                    _blobs.Add(diffId, mounted);
                    return mounted;
                }
                break;
            }
            location ??= (await client.StartUploadAsync(null, null, cancellationToken))!;
            var uploaded = await UploadCompressedAsync(client, location, chainId, id, sink, cancellationToken);
            await sink(ProgressMessage.Update(id, "Pushed"), cancellationToken);
            _blobs.Add(diffId, uploaded);
            return uploaded;
        }
        finally
        {
            slots.Release();
        }
    }

    private async Task<BlobSource> UploadCompressedAsync(RegistryClient client, Uri location, Digest chainId, string id, ProgressSink sink, CancellationToken cancellationToken)
    {
        long size = _layers.Get(chainId)?.Size ?? 0;
        var pipe = new System.IO.Pipelines.Pipe(new System.IO.Pipelines.PipeOptions(pauseWriterThreshold: 8 << 20, resumeWriterThreshold: 4 << 20, useSynchronizationContext: false));
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var compress = Task.Run(async () =>
        {
            try
            {
                await using var tar = _layers.OpenTar(chainId);
                await using var progress = new ProgressStream(tar, size, id, "Pushing", sink);
                var head = new byte[PushCompression.SampleSize];
                int headLength = await progress.ReadAtLeastAsync(head, head.Length, throwOnEndOfStream: false, stop.Token);
                var options = new System.IO.Compression.ZLibCompressionOptions { CompressionLevel = PushCompression.LevelFor(head.AsSpan(0, headLength)) };
                await using (var gzip = new System.IO.Compression.GZipStream(pipe.Writer.AsStream(leaveOpen: true), options, leaveOpen: true))
                {
                    await gzip.WriteAsync(head.AsMemory(0, headLength), stop.Token);
                    await progress.CopyToAsync(gzip, 1 << 20, stop.Token);
                }
                await pipe.Writer.CompleteAsync();
            }
            catch (Exception e)
            {
                await pipe.Writer.CompleteAsync(e);
            }
        }, CancellationToken.None);
        using var hashing = new HashingStream(pipe.Reader.AsStream());
        try
        {
            location = await client.PatchAsync(location, new StreamContent(hashing, 1 << 20), null, null, cancellationToken);
        }
        finally
        {
            await stop.CancelAsync();
            await compress;
        }
        var digest = hashing.Digest();
        await client.CompleteUploadAsync(location, digest, null, cancellationToken);
        return new BlobSource(digest, client.Endpoint.Host, client.Repository, ManifestMediaTypes.DockerLayerGzip, hashing.BytesRead);
    }
}
