using Berth.Engine.Errors;

namespace Berth.Engine.Images;

public sealed partial class ImageService
{
    public ImageDetails Inspect(string refOrId)
    {
        lock (_lock)
        {
            var entry = Find(refOrId);
            var (tags, digests) = Familiar(ReferencesOf(entry.Id));
            var layers = new List<LayerInfo>(entry.ChainIds.Count);
            foreach (var chainId in entry.ChainIds)
            {
                if (_layers.Get(chainId) is { } layer)
                {
                    layers.Add(layer);
                }
            }
            return new ImageDetails(entry.Id, tags, digests, entry.Config, entry.Record.Size, entry.Record.LastTagTime, layers);
        }
    }

    /// <summary>
    /// moby ImageHistory: one row per history entry, newest first; a non-empty entry's size is its
    /// layer's; only the top row carries the image id and tags (Berth keeps no parent images, so
    /// every older row is "&lt;missing&gt;", as for a pulled image in dockerd).
    /// </summary>
    public IReadOnlyList<ImageHistoryItem> History(string refOrId)
    {
        lock (_lock)
        {
            var entry = Find(refOrId);
            var rows = new List<ImageHistoryItem>();
            int layer = 0;
            foreach (var h in entry.Config.History ?? [])
            {
                long size = 0;
                if (h.EmptyLayer != true)
                {
                    if (entry.ChainIds.Count <= layer)
                    {
                        throw DaemonException.System(Messages.TooManyHistoryLayers);
                    }
                    size = (_layers.Get(entry.ChainIds[layer]) ?? throw DaemonException.NotFound(
                        $"layer does not exist: {entry.ChainIds[layer]}")).Size;
                    layer++;
                }
                rows.Add(new ImageHistoryItem("<missing>", GoTime.UnixSeconds(h.Created), h.CreatedBy ?? "", null, size, h.Comment ?? ""));
            }
            rows.Reverse();
            if (rows.Count > 0)
            {
                var tags = Familiar(ReferencesOf(entry.Id)).Tags;
                rows[0] = rows[0] with { Id = entry.Id.ToString(), Tags = tags.Count > 0 ? tags : null };
            }
            return rows;
        }
    }
}
