using System.Text.Json;
using Berth.Engine.Errors;
using Berth.Engine.Images.Archive;
using Berth.Engine.Images.References;

namespace Berth.Engine.Images;

public sealed partial class ImageService : IImageArchive
{
    private static readonly byte[] OciLayoutBytes = """{"imageLayoutVersion": "1.0.0"}"""u8.ToArray();

    /// <summary>
    /// moby tarexport Save, Docker 25+ layout: blobs/sha256/ holds each layer tar (named by its
    /// DiffID, written once however many images share it), each config and each OCI manifest;
    /// manifest.json points at them; index.json, oci-layout and repositories complete it. Images
    /// named by id carry no tags. Streamed: layer sizes are measured with a first read of each
    /// layer, as tar headers need them and nothing is buffered or spilled.
    /// </summary>
    public async Task SaveAsync(IReadOnlyList<string> names, Func<CancellationToken, Task<Stream>> start, CancellationToken cancellationToken)
    {
        var images = new List<(ImageEntry Entry, List<ImageReference> Tags)>();
        lock (_lock)
        {
            foreach (var name in names)
            {
                foreach (var (entry, tag) in ResolveForSave(name))
                {
                    int at = images.FindIndex(i => i.Entry.Id == entry.Id);
                    if (at < 0)
                    {
                        images.Add((entry, []));
                        at = images.Count - 1;
                    }
                    if (tag is not null && !images[at].Tags.Contains(tag))
                    {
                        images[at].Tags.Add(tag);
                    }
                }
            }
        }
        // Keeps GC off the layers while they are read.
        BeginWrite();
        try
        {
            var layers = new List<(Digest DiffId, Digest ChainId, long Size)>();
            foreach (var (entry, _) in images)
            {
                if (entry.Config.DiffIds.Count == 0)
                {
                    throw DaemonException.InvalidParameter("empty export - not implemented");
                }
                for (int i = 0; i < entry.ChainIds.Count; i++)
                {
                    if (!layers.Exists(l => l.DiffId == entry.Config.DiffIds[i]))
                    {
                        layers.Add((entry.Config.DiffIds[i], entry.ChainIds[i], await MeasureAsync(entry.ChainIds[i], cancellationToken)));
                    }
                }
            }
            var sizes = layers.ToDictionary(l => l.DiffId, l => l.Size);
            var configs = images.Select(i => _content.ReadAll(i.Entry.Id)).ToList();
            var manifests = images.Select((image, n) => OciManifestBytes(image.Entry, configs[n].Length, sizes)).ToList();

            var output = await start(cancellationToken);
            var tar = new TarStreamWriter(output);
            var epoch = DateTimeOffset.UnixEpoch;
            await tar.WriteDirectoryAsync("blobs", epoch, cancellationToken);
            await tar.WriteDirectoryAsync("blobs/sha256", epoch, cancellationToken);
            foreach (var (diffId, chainId, size) in layers)
            {
                await using var layer = _layers.OpenTar(chainId);
                await tar.WriteFileAsync("blobs/sha256/" + diffId.Hex, layer, size, epoch, cancellationToken);
            }
            for (int n = 0; n < images.Count; n++)
            {
                var entry = images[n].Entry;
                await tar.WriteFileAsync("blobs/sha256/" + entry.Id.Hex, configs[n], entry.Config.Created ?? epoch, cancellationToken);
                await tar.WriteFileAsync("blobs/sha256/" + Digest.Compute(manifests[n]).Hex, manifests[n], epoch, cancellationToken);
            }
            await tar.WriteFileAsync("index.json", IndexBytes(images, manifests), epoch, cancellationToken);
            await tar.WriteFileAsync("manifest.json", ManifestJsonBytes(images), epoch, cancellationToken);
            await tar.WriteFileAsync("oci-layout", OciLayoutBytes, epoch, cancellationToken);
            if (images.Any(i => i.Tags.Count > 0))
            {
                await tar.WriteFileAsync("repositories", RepositoriesBytes(images), epoch, cancellationToken);
            }
            await tar.FinishAsync(cancellationToken);
            foreach (var (entry, _) in images)
            {
                Publish("save", entry.Id, entry.Id.ToString(), entry.Labels);
            }
        }
        finally
        {
            EndWrite();
        }
    }

    /// <summary>
    /// moby parseNames: an id or digest saves the image untagged; "repo" saves every tag of the
    /// repository; "repo:tag" that tag; anything else is looked up like inspect does. Caller holds the lock.
    /// </summary>
    private IEnumerable<(ImageEntry Entry, ImageReference? Tag)> ResolveForSave(string name)
    {
        var lookup = ImageLookup.Parse(name);
        if (lookup.Reference is { Digest: null } reference && reference.FamiliarName != "sha256")
        {
            if (reference.IsNameOnly)
            {
                var tagged = _refs.Values.Where(r => r.Reference.Digest is null && r.Reference.Name == reference.Name).ToList();
                if (tagged.Count > 0)
                {
                    return tagged.Select(r => (_images[r.ImageId], (ImageReference?)r.Reference));
                }
            }
            else if (_refs.TryGetValue(reference.ToString(), out var target))
            {
                return [(_images[target.ImageId], reference)];
            }
        }
        return [(Find(name), null)];
    }

    /// <summary>A layer tar's length, read once (the layer store rebuilds tars as streams).</summary>
    private async Task<long> MeasureAsync(Digest chainId, CancellationToken cancellationToken)
    {
        await using var tar = _layers.OpenTar(chainId);
        if (tar.CanSeek)
        {
            return tar.Length;
        }
        var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(1 << 20);
        try
        {
            long total = 0;
            int n;
            while ((n = await tar.ReadAsync(buffer, cancellationToken)) > 0)
            {
                total += n;
            }
            return total;
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static byte[] OciManifestBytes(ImageEntry entry, long configSize, Dictionary<Digest, long> sizes) =>
        JsonSerializer.SerializeToUtf8Bytes(new OciManifest
        {
            SchemaVersion = 2,
            MediaType = MediaTypes.OciManifest,
            Config = new OciDescriptor { MediaType = MediaTypes.OciConfig, Digest = entry.Id.ToString(), Size = configSize },
            Layers = [.. entry.Config.DiffIds.Select(d => new OciDescriptor { MediaType = MediaTypes.OciLayer, Digest = d.ToString(), Size = sizes[d] })],
        }, ArchiveJson.Context.OciManifest);

    /// <summary>One descriptor per tag (annotated as Docker 25+ does), or one bare descriptor for an untagged image.</summary>
    private static byte[] IndexBytes(List<(ImageEntry Entry, List<ImageReference> Tags)> images, List<byte[]> manifests)
    {
        var descriptors = new List<OciDescriptor>();
        for (int n = 0; n < images.Count; n++)
        {
            var bare = new OciDescriptor { MediaType = MediaTypes.OciManifest, Digest = Digest.Compute(manifests[n]).ToString(), Size = manifests[n].Length };
            if (images[n].Tags.Count == 0)
            {
                descriptors.Add(bare);
            }
            foreach (var tag in images[n].Tags)
            {
                descriptors.Add(bare with
                {
                    Annotations = new Dictionary<string, string>
                    {
                        [MediaTypes.ContainerdImageName] = tag.ToString(),
                        [MediaTypes.OciRefName] = tag.Tag!,
                    },
                });
            }
        }
        return JsonSerializer.SerializeToUtf8Bytes(new OciIndex { SchemaVersion = 2, MediaType = MediaTypes.OciIndex, Manifests = descriptors }, ArchiveJson.Context.OciIndex);
    }

    private static byte[] ManifestJsonBytes(List<(ImageEntry Entry, List<ImageReference> Tags)> images)
    {
        IReadOnlyList<DockerManifestItem> items = [.. images.Select(i => new DockerManifestItem
        {
            Config = "blobs/sha256/" + i.Entry.Id.Hex,
            RepoTags = i.Tags.Count == 0 ? null : [.. i.Tags.Select(t => t.FamiliarString)],
            Layers = [.. i.Entry.Config.DiffIds.Select(d => "blobs/sha256/" + d.Hex)],
        })];
        return WithNewline(JsonSerializer.SerializeToUtf8Bytes(items, ArchiveJson.Context.IReadOnlyListDockerManifestItem));
    }

    /// <summary>The pre-1.10 "repositories" file: familiar name → tag → top layer (its DiffID hex, as Docker 25+ writes).</summary>
    private static byte[] RepositoriesBytes(List<(ImageEntry Entry, List<ImageReference> Tags)> images)
    {
        var repositories = new Dictionary<string, Dictionary<string, string>>(StringComparer.Ordinal);
        foreach (var (entry, tags) in images)
        {
            foreach (var tag in tags)
            {
                if (!repositories.TryGetValue(tag.FamiliarName, out var byTag))
                {
                    repositories[tag.FamiliarName] = byTag = new Dictionary<string, string>(StringComparer.Ordinal);
                }
                byTag[tag.Tag!] = entry.Config.DiffIds[^1].Hex;
            }
        }
        return WithNewline(JsonSerializer.SerializeToUtf8Bytes(repositories, ArchiveJson.Context.DictionaryStringDictionaryStringString));
    }

    /// <summary>Go's json.Encoder ends each document with a newline.</summary>
    private static byte[] WithNewline(byte[] json) => [.. json, (byte)'\n'];
}
