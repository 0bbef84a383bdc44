using Berth.Engine.Filters;
using Berth.Engine.Images.References;

namespace Berth.Engine.Images;

public sealed partial class ImageService
{
    private static readonly HashSet<string> ListFilters = ["dangling", "label", "before", "since", "reference", "until"];

    /// <summary>moby daemon/images Images(): filters, references, sizes, newest first.</summary>
    public IReadOnlyList<ImageSummary> List(ImageListOptions options)
    {
        var filters = options.Filters;
        filters.Validate(ListFilters);
        bool danglingOnly = filters.GetBoolOrDefault("dangling", false);
        lock (_lock)
        {
            var (before, since) = TimeBounds(filters);
            var layerRefs = options.SharedSize ? CountLayerUses() : null;
            var summaries = new List<(ImageSummary Summary, DateTimeOffset Added)>();
            foreach (var entry in _images.Values)
            {
                var created = entry.Config.Created;
                if (before is { } b && (created is null || created >= b))
                {
                    continue;
                }
                if (since is { } s && (created is null || created <= s))
                {
                    continue;
                }
                if (filters.Contains("label") && (entry.Config.Config is null || !filters.MatchKVList("label", entry.Labels)))
                {
                    continue;
                }
                if (entry.ChainIds.Count > 0 && _layers.Get(entry.ChainIds[^1]) is null)
                {
                    // dockerd skips images whose layer vanished between listing and lookup.
                    continue;
                }
                var matched = ReferencesOf(entry.Id).Where(r => MatchesReferenceFilter(filters, r));
                var (tags, digests) = Familiar(matched);
                if (tags.Count == 0 && digests.Count == 0)
                {
                    // Untagged: dangling (Berth has no parent chains, so no intermediate images to hide).
                    if ((filters.Contains("dangling") && !danglingOnly) || filters.Contains("reference"))
                    {
                        continue;
                    }
                }
                else if (danglingOnly && tags.Count > 0)
                {
                    continue;
                }
                long sharedSize = -1;
                if (layerRefs is not null)
                {
                    sharedSize = 0;
                    foreach (var chainId in entry.ChainIds)
                    {
                        if (layerRefs.GetValueOrDefault(chainId) > 1)
                        {
                            sharedSize += _layers.Get(chainId)?.Size ?? 0;
                        }
                    }
                }
                int containers = options.ContainerCount ? _usage.UsersOf(entry.Id).Count : -1;
                summaries.Add((new ImageSummary(
                    entry.Id, entry.Config.Parent ?? "", tags, digests, GoTime.UnixSeconds(created),
                    entry.Record.Size, sharedSize, containers, entry.Labels), entry.Record.Added));
            }
            return [.. summaries
                .OrderByDescending(s => s.Summary.Created)
                .ThenByDescending(s => s.Added)
                .Select(s => s.Summary)];
        }
    }

    /// <summary>The images part of /system/df: every image with shared sizes and container counts.</summary>
    public ImagesDiskUsage DiskUsage()
    {
        var images = List(new ImageListOptions(All: false, new FilterArgs(), SharedSize: true, ContainerCount: true));
        long layersSize = 0;
        foreach (var layer in _layers.List())
        {
            layersSize += layer.Size;
        }
        return new ImagesDiskUsage(layersSize, images);
    }

    /// <summary>before/until give an upper bound, since a lower one (multiple values AND together).</summary>
    private (DateTimeOffset? Before, DateTimeOffset? Since) TimeBounds(FilterArgs filters)
    {
        DateTimeOffset? before = null, since = null;
        foreach (var value in filters.Values("before"))
        {
            var created = Find(value).Config.Created;
            if (created is { } c && (before is null || before > c))
            {
                before = c;
            }
        }
        foreach (var value in filters.Values("until"))
        {
            var until = GoTime.ParseTimestamp(value, _time.GetUtcNow());
            if (before is null || before > until)
            {
                before = until;
            }
        }
        foreach (var value in filters.Values("since"))
        {
            var created = Find(value).Config.Created;
            if (created is { } c && (since is null || since < c))
            {
                since = c;
            }
        }
        return (before, since);
    }

    /// <summary>reference.FamiliarMatch: the glob against the familiar string, then the familiar name.</summary>
    internal static bool MatchesReferenceFilter(FilterArgs filters, ImageReference reference)
    {
        if (!filters.Contains("reference"))
        {
            return true;
        }
        foreach (var pattern in filters.Values("reference"))
        {
            if (GoPathMatch.Match(pattern, reference.FamiliarString) || GoPathMatch.Match(pattern, reference.FamiliarName))
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>How many images use each layer (for SharedSize). Caller holds the lock.</summary>
    private Dictionary<Digest, int> CountLayerUses()
    {
        var counts = new Dictionary<Digest, int>();
        foreach (var entry in _images.Values)
        {
            foreach (var chainId in entry.ChainIds)
            {
                counts[chainId] = counts.GetValueOrDefault(chainId) + 1;
            }
        }
        return counts;
    }
}
