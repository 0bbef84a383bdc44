using System.Globalization;
using Berth.Engine.Errors;
using Berth.Engine.Events;
using Berth.Engine.Filters;
using Berth.Engine.Images;

namespace Berth.Engine.Containers;

public sealed partial class ContainerService
{
    private static readonly HashSet<string> PruneFilterKeys = ["label", "label!", "until"];
    private int _pruneRunning;

    /// <summary>
    /// POST /containers/prune (moby ContainersPrune): every container that is not running,
    /// narrowed by until (created before) and label/label!; the size of each read-write layer is
    /// reclaimed space; failures are skipped; one "prune" event with the total.
    /// </summary>
    public async Task<ContainerPruneReport> PruneAsync(FilterArgs filters, CancellationToken cancellationToken = default)
    {
        if (Interlocked.CompareExchange(ref _pruneRunning, 1, 0) != 0)
        {
            throw DaemonException.Conflict(Messages.PruneRunning);
        }
        try
        {
            filters.Validate(PruneFilterKeys);
            DateTimeOffset? until = PruneUntil(filters);
            var deleted = new List<string>();
            long reclaimed = 0;
            foreach (Entry entry in Snapshot().OrderBy(e => e.Record.Created))
            {
                if (cancellationToken.IsCancellationRequested)
                {
                    break;
                }
                ContainerRecord record = entry.Record;
                if (record.State.Running
                    || (until is { } u && record.Created > u)
                    || !(filters.MatchKVList("label", record.Config.Labels)
                         && !(filters.Contains("label!") && filters.MatchKVList("label!", record.Config.Labels))))
                {
                    continue;
                }
                long size = DirectorySize(SafeDiffPath(record.Id));
                try
                {
                    await RemoveAsync(record.Id, force: false, removeVolumes: false, CancellationToken.None).ConfigureAwait(false);
                }
                catch (DaemonException e)
                {
                    LogPruneSkipped(record.Id, e.Message);
                    continue;
                }
                deleted.Add(record.Id);
                reclaimed += size;
            }
            _events.Publish(EventTypes.Container, "prune", "", new Dictionary<string, string>
            {
                ["reclaimed"] = reclaimed.ToString(CultureInfo.InvariantCulture),
            });
            return new ContainerPruneReport(deleted, reclaimed);
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
        IReadOnlyCollection<string> values = filters.Values("until");
        if (values.Count > 1)
        {
            throw DaemonException.InvalidParameter(Messages.MoreThanOneUntil);
        }
        return GoTime.ParseTimestamp(values.FirstOrDefault() ?? "", _time.GetUtcNow());
    }
}
