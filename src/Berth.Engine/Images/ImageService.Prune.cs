using System.Globalization;
using Berth.Engine.Errors;
using Berth.Engine.Events;
using Berth.Engine.Filters;

namespace Berth.Engine.Images;

public sealed partial class ImageService
{
    private static readonly HashSet<string> PruneFilters = ["dangling", "label", "label!", "until"];
    private int _pruneRunning;

    /// <summary>
    /// moby ImagesPrune: dangling=true (default) removes untagged images, dangling=false every
    /// image no container uses; until and label/label! narrow it. Conflicts are skipped silently.
    /// </summary>
    public ImagePruneReport Prune(FilterArgs filters)
    {
        if (Interlocked.CompareExchange(ref _pruneRunning, 1, 0) != 0)
        {
            throw DaemonException.Conflict(Messages.PruneRunning);
        }
        try
        {
            filters.Validate(PruneFilters);
            bool danglingOnly = filters.GetBoolOrDefault("dangling", true);
            var until = PruneUntil(filters);
            List<(Digest Id, List<string> Targets)> candidates;
            Dictionary<Digest, long> layerSizes;
            lock (_lock)
            {
                layerSizes = _layers.List().ToDictionary(l => l.ChainId, l => l.Size);
                candidates = [];
                foreach (var entry in _images.Values)
                {
                    if (until is { } u && (entry.Config.Created is null || entry.Config.Created > u))
                    {
                        continue;
                    }
                    if (entry.Config.Config is not null && !MatchesPruneLabels(filters, entry.Labels))
                    {
                        continue;
                    }
                    var refs = ReferencesOf(entry.Id);
                    if (refs.Count == 0)
                    {
                        candidates.Add((entry.Id, [entry.Id.Hex]));
                    }
                    else if (!danglingOnly || refs.All(r => r.Digest is not null))
                    {
                        candidates.Add((entry.Id, [.. refs.Select(r => r.ToString())]));
                    }
                }
            }
            var deleted = new List<ImageDeleteItem>();
            foreach (var (_, targets) in candidates)
            {
                foreach (var target in targets)
                {
                    try
                    {
                        deleted.AddRange(DeleteCore(target, force: false, collect: false));
                    }
                    catch (DaemonException)
                    {
                        // dockerd skips conflicts (and logs other failures) and goes on.
                    }
                }
            }
            if (deleted.Count > 0)
            {
                CollectGarbage();
            }
            long reclaimed = deleted.Where(d => d.Deleted is not null && Digest.TryParse(d.Deleted, out _))
                .Sum(d => layerSizes.GetValueOrDefault(Digest.Parse(d.Deleted!)));
            _events.Publish(EventTypes.Image, "prune", "", new Dictionary<string, string>
            {
                ["reclaimed"] = reclaimed.ToString(CultureInfo.InvariantCulture),
            });
            return new ImagePruneReport(deleted.Count > 0 ? deleted : null, reclaimed);
        }
        finally
        {
            Volatile.Write(ref _pruneRunning, 0);
        }
    }

    private DateTimeOffset? PruneUntil(FilterArgs filters)
    {
        if (!filters.Contains("until"))
        {
            return null;
        }
        var values = filters.Values("until");
        if (values.Count > 1)
        {
            throw DaemonException.InvalidParameter(Messages.MoreThanOneUntil);
        }
        return GoTime.ParseTimestamp(values.FirstOrDefault() ?? "", _time.GetUtcNow());
    }

    /// <summary>moby matchLabels: every label= must match and no label! may.</summary>
    internal static bool MatchesPruneLabels(FilterArgs filters, IReadOnlyDictionary<string, string>? labels) =>
        filters.MatchKVList("label", labels) && !(filters.Contains("label!") && filters.MatchKVList("label!", labels));
}
