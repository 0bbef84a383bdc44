using Berth.Engine.Errors;
using Berth.Engine.Images.References;

namespace Berth.Engine.Images;

public sealed partial class ImageService
{
    /// <summary>moby postImagesTag + TagImage: the lookup failing is NotFound whatever the reason.</summary>
    public bool Tag(string refOrId, string? repo, string? tag)
    {
        var reference = ImageTagRules.ValidateTagRequest(repo, tag);
        if (reference is null)
        {
            return false;
        }
        ImageEntry entry;
        lock (_lock)
        {
            try
            {
                entry = Find(refOrId);
            }
            catch (DaemonException e) when (e.Kind != ErrorKind.NotFound)
            {
                throw DaemonException.NotFound(e.Message);
            }
            AddTag(entry, reference);
        }
        Publish("tag", entry.Id, reference.FamiliarString, entry.Labels);
        return true;
    }

    /// <summary>Points a tag at an image (moving it if needed) and stamps LastTagTime. Caller holds the lock.</summary>
    private void AddTag(ImageEntry entry, ImageReference reference)
    {
        var now = _time.GetUtcNow();
        string key = reference.ToString();
        _store.SetReference(new ReferenceRecord(key, entry.Id, IsDigest: false), now);
        _refs[key] = new RefEntry(reference, entry.Id);
        entry.Record = entry.Record with { LastTagTime = now };
    }

    /// <summary>
    /// moby ImageDelete. By reference: untag it (and the repository's digests when its last tag
    /// goes); the image goes only when no reference remains. By id: the image and all its
    /// references, unless they span repositories (needs force). Containers using it conflict.
    /// </summary>
    public IReadOnlyList<ImageDeleteItem> Delete(string refOrId, bool force, bool noPrune) =>
        DeleteCore(refOrId, force, collect: true);

    /// <summary>Prune deletes many images and collects garbage once at the end (<paramref name="collect"/> false).</summary>
    private List<ImageDeleteItem> DeleteCore(string refOrId, bool force, bool collect)
    {
        var records = new List<ImageDeleteItem>();
        var events = new List<(string Action, Digest Id, IReadOnlyDictionary<string, string>? Labels)>();
        try
        {
            lock (_lock)
            {
                DeleteLocked(refOrId, force, records, events);
            }
        }
        finally
        {
            foreach (var (action, id, labels) in events)
            {
                Publish(action, id, id.ToString(), labels);
            }
        }
        if (collect && records.Any(r => r.Deleted is not null))
        {
            CollectGarbage();
        }
        return records;
    }

    private void DeleteLocked(string refOrId, bool force, List<ImageDeleteItem> records,
        List<(string, Digest, IReadOnlyDictionary<string, string>?)> events)
    {
        var entry = Find(refOrId);
        var id = entry.Id;
        var refs = ReferencesOf(id);
        bool quiet = false;
        if (!IsImageIdPrefix(id, refOrId))
        {
            var users = _usage.UsersOf(id);
            if (!force && IsSingleReference(refs) && users.Count > 0)
            {
                throw DaemonException.Conflict(Messages.ImageRemoveReferenceConflict(refOrId, Short(users[0].ContainerId), Short(id.Hex)));
            }
            var parsed = ImageReference.ParseNormalizedNamed(refOrId);
            parsed = parsed.Digest is null ? parsed.WithDefaultTag() : parsed;
            RemoveReferences([StoreKey(parsed)]);
            records.Add(ImageDeleteItem.Untag(parsed.FamiliarString));
            events.Add(("untag", id, entry.Labels));
            refs = ReferencesOf(id);
            if (parsed.Digest is null && !refs.Any(r => r.Digest is null && r.Name == parsed.Name))
            {
                // The repository's last tag went: its digest references go too.
                var sameRepoDigests = refs.Where(r => r.Digest is not null && r.Name == parsed.Name).ToList();
                RemoveReferences([.. sameRepoDigests.Select(StoreKey)]);
                records.AddRange(sameRepoDigests.Select(r => ImageDeleteItem.Untag(r.FamiliarString)));
                refs = ReferencesOf(id);
            }
            if (refs.Count > 0)
            {
                return;
            }
            quiet = true;
        }
        else if (IsSingleReference(refs))
        {
            if (Conflict(entry, checkReferences: false, checkStopped: !force, out _) is { } conflict)
            {
                throw conflict;
            }
            foreach (var reference in refs)
            {
                RemoveReferences([StoreKey(reference)]);
                records.Add(ImageDeleteItem.Untag(reference.FamiliarString));
                events.Add(("untag", id, entry.Labels));
            }
        }
        DeleteImage(entry, force, quiet, records, events);
    }

    /// <summary>moby imageDeleteHelper: conflicts, then every reference, the image, and its now unused layers.</summary>
    private void DeleteImage(ImageEntry entry, bool force, bool quiet, List<ImageDeleteItem> records,
        List<(string, Digest, IReadOnlyDictionary<string, string>?)> events)
    {
        var id = entry.Id;
        if (Conflict(entry, checkReferences: !force, checkStopped: !force, out bool used) is { } conflict)
        {
            bool dangling = ReferencesOf(id).Count == 0;
            if (quiet && (!dangling || used))
            {
                return;
            }
            throw conflict;
        }
        foreach (var reference in ReferencesOf(id))
        {
            RemoveReferences([StoreKey(reference)]);
            records.Add(ImageDeleteItem.Untag(reference.FamiliarString));
            events.Add(("untag", id, entry.Labels));
        }
        _store.RemoveImage(id);
        _images.Remove(id);
        events.Add(("delete", id, null));
        records.Add(ImageDeleteItem.Delete(id));
        // Layers no other image (or container) uses are released, top first, as dockerd reports them.
        var stillUsed = new HashSet<Digest>(_usage.PinnedLayers());
        foreach (var other in _images.Values)
        {
            stillUsed.UnionWith(other.ChainIds);
        }
        for (int i = entry.ChainIds.Count - 1; i >= 0; i--)
        {
            if (!stillUsed.Contains(entry.ChainIds[i]))
            {
                records.Add(ImageDeleteItem.Delete(entry.ChainIds[i]));
            }
        }
    }

    /// <summary>moby checkImageDeleteConflict (no parent images in Berth, so no dependent children).</summary>
    private DaemonException? Conflict(ImageEntry entry, bool checkReferences, bool checkStopped, out bool used)
    {
        used = false;
        var users = _usage.UsersOf(entry.Id);
        string shortId = Short(entry.Id.Hex);
        if (users.FirstOrDefault(u => u.Running) is { } running)
        {
            used = true;
            return DaemonException.Conflict(Messages.ImageDeleteConflict(shortId, hard: true, Messages.ImageUsedByContainer(true, Short(running.ContainerId))));
        }
        if (checkReferences && ReferencesOf(entry.Id).Count > 0)
        {
            return DaemonException.Conflict(Messages.ImageDeleteConflict(shortId, hard: false, Messages.ImageReferencedInMultipleRepositories));
        }
        if (checkStopped && users.FirstOrDefault(u => !u.Running) is { } stopped)
        {
            used = true;
            return DaemonException.Conflict(Messages.ImageDeleteConflict(shortId, hard: false, Messages.ImageUsedByContainer(false, Short(stopped.ContainerId))));
        }
        return null;
    }

    private void RemoveReferences(IReadOnlyList<string> keys)
    {
        if (keys.Count == 0)
        {
            return;
        }
        _store.RemoveReferences(keys);
        foreach (var key in keys)
        {
            _refs.Remove(key);
        }
    }

    /// <summary>moby isImageIDPrefix: the input is a prefix of "sha256:hex" or of the hex.</summary>
    internal static bool IsImageIdPrefix(Digest id, string input) =>
        id.ToString().StartsWith(input, StringComparison.Ordinal) || id.Hex.StartsWith(input, StringComparison.Ordinal);

    /// <summary>
    /// moby isSingleReference: exactly one reference, or one tag plus digests of that same
    /// repository only (or digests of a single repository).
    /// </summary>
    internal static bool IsSingleReference(IReadOnlyList<ImageReference> refs)
    {
        if (refs.Count <= 1)
        {
            return refs.Count == 1;
        }
        ImageReference? single = null;
        var digestRepos = new HashSet<string>(StringComparer.Ordinal);
        foreach (var reference in refs)
        {
            if (reference.Digest is not null)
            {
                digestRepos.Add(reference.Name);
            }
            else if (single is null)
            {
                single = reference;
            }
            else
            {
                return false;
            }
        }
        single ??= refs[0];
        return digestRepos.Count == 1 && digestRepos.Contains(single.Name);
    }

    private static string Short(string id) => id.Length > 12 ? id[..12] : id;
}
