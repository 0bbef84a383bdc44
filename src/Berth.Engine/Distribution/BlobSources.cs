using System.Text;
using System.Text.Json;
using Berth.Engine.Images;

namespace Berth.Engine.Distribution;

/// <summary>Where a layer's compressed blob is known to live (moby's V2Metadata).</summary>
public sealed record BlobSource(Digest Blob, string Registry, string Repository, string MediaType, long Size);

/// <summary>
/// DiffID → compressed blobs seen on registries (pulled from or pushed to), so a push can skip a
/// layer the registry has, or mount it from another repository, instead of compressing and
/// uploading it again. Kept in <c>&lt;data-root&gt;/distribution/blobs.json</c>, written
/// temp-then-rename; a lost or broken file only costs re-uploads.
/// </summary>
public sealed class BlobSources
{
    private const int MaxPerLayer = 8;
    private readonly string? _file;
    private readonly Lock _lock = new();
    private readonly Dictionary<Digest, List<BlobSource>> _byDiffId = [];

    public BlobSources(string? file)
    {
        _file = file;
        if (file is not null && File.Exists(file))
        {
            try
            {
                Load(File.ReadAllBytes(file));
            }
            catch (Exception e) when (e is JsonException or IOException or FormatException or InvalidOperationException)
            {
                _byDiffId.Clear();
            }
        }
    }

    public IReadOnlyList<BlobSource> Get(Digest diffId)
    {
        lock (_lock)
        {
            return _byDiffId.TryGetValue(diffId, out var list) ? [.. list] : [];
        }
    }

    public void Add(Digest diffId, BlobSource source) => AddMany([(diffId, source)]);

    public void AddMany(IReadOnlyList<(Digest DiffId, BlobSource Source)> entries)
    {
        if (entries.Count == 0)
        {
            return;
        }
        byte[] snapshot;
        lock (_lock)
        {
            foreach (var (diffId, source) in entries)
            {
                if (!_byDiffId.TryGetValue(diffId, out var list))
                {
                    _byDiffId[diffId] = list = [];
                }
                list.RemoveAll(s => s.Blob == source.Blob && s.Registry == source.Registry && s.Repository == source.Repository);
                list.Insert(0, source);
                if (list.Count > MaxPerLayer)
                {
                    list.RemoveRange(MaxPerLayer, list.Count - MaxPerLayer);
                }
            }
            snapshot = Serialize();
        }
        Save(snapshot);
    }

    private void Save(byte[] bytes)
    {
        if (_file is null)
        {
            return;
        }
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(_file)!);
            var temp = _file + ".tmp-" + Environment.CurrentManagedThreadId + "-" + Guid.NewGuid().ToString("N");
            File.WriteAllBytes(temp, bytes);
            File.Move(temp, _file, overwrite: true);
        }
        catch (IOException)
        {
            // Only an optimisation: the next push uploads what it cannot prove the registry has.
        }
    }

    private byte[] Serialize()
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            foreach (var (diffId, list) in _byDiffId)
            {
                w.WriteStartArray(diffId.ToString());
                foreach (var s in list)
                {
                    w.WriteStartObject();
                    w.WriteString("digest", s.Blob.ToString());
                    w.WriteString("registry", s.Registry);
                    w.WriteString("repository", s.Repository);
                    w.WriteString("mediaType", s.MediaType);
                    w.WriteNumber("size", s.Size);
                    w.WriteEndObject();
                }
                w.WriteEndArray();
            }
            w.WriteEndObject();
        }
        return buffer.ToArray();
    }

    private void Load(byte[] bytes)
    {
        using var doc = JsonDocument.Parse(bytes);
        foreach (var layer in doc.RootElement.EnumerateObject())
        {
            if (!Digest.TryParse(layer.Name, out var diffId))
            {
                continue;
            }
            var list = new List<BlobSource>();
            foreach (var s in layer.Value.EnumerateArray())
            {
                if (Digest.TryParse(s.GetProperty("digest").GetString(), out var blob))
                {
                    list.Add(new BlobSource(blob, s.GetProperty("registry").GetString() ?? "", s.GetProperty("repository").GetString() ?? "",
                        s.GetProperty("mediaType").GetString() ?? "", s.GetProperty("size").GetInt64()));
                }
            }
            _byDiffId[diffId] = list;
        }
    }

    public override string ToString() => Encoding.UTF8.GetString(Serialize());
}
