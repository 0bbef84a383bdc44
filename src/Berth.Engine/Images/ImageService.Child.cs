namespace Berth.Engine.Images;

/// <summary>A new image on top of a parent: its layers plus at most one more, and one more history entry.</summary>
/// <param name="Parent">null for scratch.</param>
/// <param name="LayerTar">null for a config-only step (history says empty_layer).</param>
public sealed record ChildImageRequest(Digest? Parent, Stream? LayerTar, RunConfig Config, string CreatedBy, string Comment = "", string Author = "");

public sealed partial class ImageService
{
    /// <summary>
    /// Writes a child image (build steps, commit): the parent's diff ids and history carried over,
    /// the layer applied on the parent's top chain, the config blob, then the image row — in that
    /// order, so a crash leaves only collectable blobs and layers.
    /// </summary>
    public async Task<Digest> CreateChildAsync(ChildImageRequest request, CancellationToken cancellationToken)
    {
        ImageConfig? parent = null;
        long parentSize = 0;
        if (request.Parent is { } parentId)
        {
            lock (_lock)
            {
                var entry = Find(parentId.ToString());
                parent = entry.Config;
                parentSize = entry.Record.Size;
            }
        }
        var (os, architecture, variant) = parent is null ? ParsePlatform(null) : (parent.Os ?? "linux", parent.Architecture ?? ParsePlatform(null).Architecture, parent.Variant);
        var diffIds = new List<Digest>(parent?.DiffIds ?? []);
        var history = new List<HistoryEntry>(parent?.History ?? []);
        BeginWrite();
        try
        {
            LayerInfo? layer = null;
            if (request.LayerTar is { } tar)
            {
                Digest? parentChain = diffIds.Count > 0 ? Digest.Chains(diffIds)[^1] : null;
                layer = await _layers.ApplyAsync(parentChain, tar, null, cancellationToken);
                diffIds.Add(layer.DiffId);
            }
            var created = _time.GetUtcNow().ToUniversalTime();
            history.Add(new HistoryEntry
            {
                Created = created,
                CreatedBy = request.CreatedBy,
                Author = request.Author.Length > 0 ? request.Author : null,
                Comment = request.Comment.Length > 0 ? request.Comment : null,
                EmptyLayer = layer is null ? true : null,
            });
            var bytes = ImageConfigWriter.Write(new NewImageConfig(
                architecture, os, variant, created, request.Comment, SystemInfo.BuildInfo.Version, request.Config, diffIds, history));
            var id = _content.Write(bytes);
            var config = ParseConfig(bytes);
            var chains = Digest.Chains(diffIds);
            lock (_lock)
            {
                if (!_images.ContainsKey(id))
                {
                    var record = new ImageRecord(id, chains.Count > 0 ? chains[^1] : null, parentSize + (layer?.Size ?? 0), config.Created, created, null);
                    _store.AddImage(record, []);
                    _images[id] = new ImageEntry(record, config, chains);
                }
            }
            return id;
        }
        finally
        {
            EndWrite();
        }
    }

    /// <summary>An image's config and unpacked layer directories (top first), for reading its files.</summary>
    public (Digest Id, ImageConfig Config, IReadOnlyList<string> LayerDirs)? FindWithLayers(string refOrId)
    {
        ImageEntry entry;
        lock (_lock)
        {
            try
            {
                entry = Find(refOrId);
            }
            catch (Errors.DaemonException)
            {
                return null;
            }
        }
        var dirs = new List<string>(entry.ChainIds.Count);
        for (int i = entry.ChainIds.Count - 1; i >= 0; i--)
        {
            dirs.Add((_layers.Get(entry.ChainIds[i]) ?? throw Errors.DaemonException.System($"layer {entry.ChainIds[i]} of image {entry.Id} is missing")).DiffPath);
        }
        return (entry.Id, entry.Config, dirs);
    }
}
