using System.Text.Json;
using Berth.Engine.Errors;
using Berth.Engine.Events;
using Berth.Engine.Images.References;

namespace Berth.Engine.Images;

/// <summary>
/// Local images: lookup, list, inspect, history, tag, delete, prune, import, disk usage and
/// garbage collection, with dockerd's rules (moby daemon/images). One lock serialises every
/// change; the SQLite store is written first and memory only after it committed.
/// </summary>
public sealed partial class ImageService : IImageService
{
    private readonly IImageStore _store;
    private readonly IContentStore _content;
    private readonly ILayerStore _layers;
    private readonly IEventBus _events;
    private readonly TimeProvider _time;
    private readonly IImageUsage _usage;
    private readonly Lock _lock = new();
    private readonly Dictionary<Digest, ImageEntry> _images = [];
    // Ordered like moby's reference store lists references (lexically by full form).
    private readonly SortedDictionary<string, RefEntry> _refs = new(StringComparer.Ordinal);
    // Imports between "layer applied" and "image row written": GC must wait for them.
    private int _writers;
    private bool _gcPending;

    public ImageService(IImageStore store, IContentStore content, ILayerStore layers, IEventBus events, TimeProvider time, IImageUsage? usage = null)
    {
        _store = store;
        _content = content;
        _layers = layers;
        _events = events;
        _time = time;
        _usage = usage ?? NoImageUsage.Instance;
        Load();
    }

    /// <summary>Images whose config blob could not be read at start-up (skipped, reported by the host).</summary>
    public IReadOnlyList<string> LoadWarnings { get; private set; } = [];

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _images.Count;
            }
        }
    }

    private void Load()
    {
        var warnings = new List<string>();
        foreach (var record in _store.ListImages())
        {
            try
            {
                var config = ParseConfig(_content.ReadAll(record.Id));
                _images[record.Id] = new ImageEntry(record, config, Digest.Chains(config.DiffIds));
            }
            catch (Exception e) when (e is DaemonException or JsonException or IOException)
            {
                warnings.Add($"image {record.Id} skipped: {e.Message}");
            }
        }
        foreach (var reference in _store.ListReferences())
        {
            if (_images.ContainsKey(reference.ImageId) &&
                ImageReference.TryParseNormalizedNamed(reference.Reference, out var parsed, out _))
            {
                _refs[reference.Reference] = new RefEntry(parsed, reference.ImageId);
            }
        }
        LoadWarnings = warnings;
    }

    /// <summary>Parses config bytes; malformed configs are InvalidParameter.</summary>
    public static ImageConfig ParseConfig(ReadOnlySpan<byte> bytes)
    {
        try
        {
            var config = JsonSerializer.Deserialize(bytes, ImageConfigJsonContext.Default.ImageConfig)
                ?? throw DaemonException.InvalidParameter("invalid image config: null");
            _ = config.DiffIds; // validates the digests
            return config;
        }
        catch (JsonException e)
        {
            throw DaemonException.InvalidParameter($"invalid image config: {e.Message}");
        }
    }

    /// <summary>
    /// moby GetImage: a full id or digest; else the reference (tag, "latest" added, or
    /// repository@digest); else a unique id prefix. Caller holds the lock.
    /// </summary>
    private ImageEntry Find(string refOrId)
    {
        var lookup = ImageLookup.Parse(refOrId);
        if (lookup.Id is { } id)
        {
            return _images.GetValueOrDefault(id) ?? throw NotFound(lookup);
        }
        if (lookup.Reference is { } reference && _refs.TryGetValue(StoreKey(reference), out var target))
        {
            return _images[target.ImageId];
        }
        if (lookup.IdPrefix is { } prefix)
        {
            ImageEntry? match = null;
            foreach (var (imageId, entry) in _images)
            {
                if (imageId.Hex.StartsWith(prefix, StringComparison.Ordinal))
                {
                    if (match is not null)
                    {
                        throw DaemonException.NotFound(Messages.AmbiguousImageReference);
                    }
                    match = entry;
                }
            }
            if (match is not null)
            {
                return match;
            }
        }
        throw NotFound(lookup);
    }

    private static DaemonException NotFound(ImageLookup lookup) =>
        DaemonException.NotFound(Messages.NoSuchObject("image", lookup.NotFoundName));

    /// <summary>The stored form of a reference (moby refstore Get): name@digest when digested, else name:tag.</summary>
    private static string StoreKey(ImageReference reference) =>
        reference.Digest is { } digest ? reference.TrimNamed().WithDigest(digest).ToString() : reference.WithDefaultTag().ToString();

    /// <summary>References to an image, lexically ordered by full form. Caller holds the lock.</summary>
    private List<ImageReference> ReferencesOf(Digest id)
    {
        var list = new List<ImageReference>();
        foreach (var entry in _refs.Values)
        {
            if (entry.ImageId == id)
            {
                list.Add(entry.Reference);
            }
        }
        return list;
    }

    private static (List<string> Tags, List<string> Digests) Familiar(IEnumerable<ImageReference> references)
    {
        var tags = new List<string>();
        var digests = new List<string>();
        foreach (var reference in references)
        {
            (reference.Digest is null ? tags : digests).Add(reference.FamiliarString);
        }
        return (tags, digests);
    }

    /// <summary>moby LogImageEvent: the image's labels (while it exists) plus name.</summary>
    private void Publish(string action, Digest id, string name, IReadOnlyDictionary<string, string>? labels)
    {
        var attributes = new Dictionary<string, string>(StringComparer.Ordinal);
        if (labels is not null)
        {
            foreach (var (key, value) in labels)
            {
                attributes[key] = value;
            }
        }
        attributes["name"] = name;
        _events.Publish(EventTypes.Image, action, id.ToString(), attributes);
    }

    /// <summary>
    /// Removes content blobs and layers that no image references (and layers under containers).
    /// Deferred while an import is between writing its layer and recording its image.
    /// </summary>
    public long CollectGarbage()
    {
        lock (_lock)
        {
            if (_writers > 0)
            {
                _gcPending = true;
                return 0;
            }
            _gcPending = false;
            var blobs = new HashSet<Digest>(_images.Keys);
            var layers = new HashSet<Digest>(_usage.PinnedLayers());
            foreach (var entry in _images.Values)
            {
                layers.UnionWith(entry.ChainIds);
            }
            return _layers.Collect(layers) + _content.Collect(blobs);
        }
    }

    private void BeginWrite()
    {
        lock (_lock)
        {
            _writers++;
        }
    }

    private void EndWrite()
    {
        bool collect;
        lock (_lock)
        {
            _writers--;
            collect = _writers == 0 && _gcPending;
        }
        if (collect)
        {
            CollectGarbage();
        }
    }

    /// <summary>Sum of the layer sizes of a chain (dockerd's image Size); missing layers count 0.</summary>
    private long SizeOf(IReadOnlyList<Digest> chainIds)
    {
        long size = 0;
        foreach (var chainId in chainIds)
        {
            size += _layers.Get(chainId)?.Size ?? 0;
        }
        return size;
    }

    private sealed class ImageEntry(ImageRecord record, ImageConfig config, IReadOnlyList<Digest> chainIds)
    {
        public ImageRecord Record { get; set; } = record;
        public ImageConfig Config { get; } = config;
        public IReadOnlyList<Digest> ChainIds { get; } = chainIds;
        public Digest Id => Record.Id;
        public IReadOnlyDictionary<string, string>? Labels => Config.Config?.Labels;
    }

    private sealed record RefEntry(ImageReference Reference, Digest ImageId);
}
