using Berth.Engine.Distribution;
using Berth.Engine.Errors;
using Berth.Engine.Images.References;

namespace Berth.Engine.Images;

/// <summary>The local side of pull and push (see <see cref="IDistributionImages"/>).</summary>
public sealed partial class ImageService : IDistributionImages
{
    public bool HasImage(Digest id)
    {
        lock (_lock)
        {
            return _images.ContainsKey(id);
        }
    }

    IDisposable IDistributionImages.BeginWrite()
    {
        BeginWrite();
        return new WriteScope(this);
    }

    void IDistributionImages.CollectGarbage() => CollectGarbage();

    public bool RecordPull(Digest id, byte[]? configBytes, ImageReference reference, Digest manifestDigest)
    {
        var now = _time.GetUtcNow().ToUniversalTime();
        lock (_lock)
        {
            if (!_images.TryGetValue(id, out var entry))
            {
                var config = ParseConfig(configBytes ?? _content.ReadAll(id));
                var chainIds = Digest.Chains(config.DiffIds);
                var record = new ImageRecord(id, chainIds.Count > 0 ? chainIds[^1] : null, SizeOf(chainIds), config.Created, now, null);
                _store.AddImage(record, []);
                entry = new ImageEntry(record, config, chainIds);
                _images[id] = entry;
            }
            var digestRef = reference.TrimNamed().WithDigest(manifestDigest);
            if (reference.Digest is not null)
            {
                // Pulled by digest: that reference is the only one (moby AddDigest).
                bool changed = !_refs.TryGetValue(digestRef.ToString(), out var existing) || existing.ImageId != id;
                SetDigestRef(digestRef, id, now);
                return changed;
            }
            var tag = reference.WithDefaultTag();
            if (_refs.TryGetValue(tag.ToString(), out var old) && old.ImageId == id)
            {
                AddDigestIfFree(digestRef, id, now);
                return false;
            }
            AddDigestIfFree(digestRef, id, now);
            AddTag(entry, tag);
            return true;
        }
    }

    public PushableImage? FindTagged(ImageReference tag)
    {
        lock (_lock)
        {
            if (!_refs.TryGetValue(tag.WithDefaultTag().ToString(), out var target) || !_images.TryGetValue(target.ImageId, out var entry))
            {
                return null;
            }
            var bytes = _content.ReadAll(entry.Id);
            return new PushableImage(entry.Id, bytes, entry.Config, entry.Config.DiffIds, entry.ChainIds);
        }
    }

    public IReadOnlyList<ImageReference> TagsOf(ImageReference repository)
    {
        var name = repository.TrimNamed().ToString();
        lock (_lock)
        {
            return [.. _refs.Values.Where(r => r.Reference.Tag is not null && r.Reference.Digest is null && r.Reference.TrimNamed().ToString() == name).Select(r => r.Reference)];
        }
    }

    public bool HasRepository(ImageReference repository)
    {
        var name = repository.TrimNamed().ToString();
        lock (_lock)
        {
            return _refs.Values.Any(r => r.Reference.TrimNamed().ToString() == name);
        }
    }

    public void AddDigestReference(ImageReference repository, Digest manifestDigest, Digest id)
    {
        lock (_lock)
        {
            if (_images.ContainsKey(id))
            {
                AddDigestIfFree(repository.TrimNamed().WithDigest(manifestDigest), id, _time.GetUtcNow().ToUniversalTime());
            }
        }
    }

    public void PublishEvent(string action, string reference, string name)
    {
        IReadOnlyDictionary<string, string>? labels = null;
        lock (_lock)
        {
            try
            {
                labels = Find(reference).Labels;
            }
            catch (DaemonException)
            {
                // The event still goes out, without labels (moby logs and continues likewise).
            }
        }
        var attributes = new Dictionary<string, string>(StringComparer.Ordinal);
        if (labels is not null)
        {
            foreach (var (key, value) in labels)
            {
                attributes[key] = value;
            }
        }
        attributes["name"] = name;
        _events.Publish(Events.EventTypes.Image, action, reference, attributes);
    }

    /// <summary>moby addDigestReference: an existing digest reference to another image is left alone.</summary>
    private void AddDigestIfFree(ImageReference digestRef, Digest id, DateTimeOffset now)
    {
        if (!_refs.ContainsKey(digestRef.ToString()))
        {
            SetDigestRef(digestRef, id, now);
        }
    }

    private void SetDigestRef(ImageReference digestRef, Digest id, DateTimeOffset now)
    {
        string key = digestRef.ToString();
        _store.SetReference(new ReferenceRecord(key, id, IsDigest: true), now);
        _refs[key] = new RefEntry(digestRef, id);
    }

    private sealed class WriteScope(ImageService owner) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                owner.EndWrite();
            }
        }
    }
}
