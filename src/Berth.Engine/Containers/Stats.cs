using System.Runtime.CompilerServices;
using Berth.Engine.Errors;

namespace Berth.Engine.Containers;

public sealed partial class ContainerService
{
    /// <summary>dockerd's stats collector interval.</summary>
    public static readonly TimeSpan StatsInterval = TimeSpan.FromSeconds(1);

    /// <summary>
    /// GET /containers/{id}/stats (moby ContainerStats). Not streaming: a stopped container
    /// gets the zeroed object; one-shot a single reading; otherwise two readings one interval
    /// apart so precpu_stats is filled (what `docker stats --no-stream` shows a CPU % from).
    /// Streaming: one object per interval, the first without precpu_stats. Two samples are
    /// reused for the whole stream.
    /// </summary>
    public IAsyncEnumerable<StatsFrame> StatsAsync(string reference, StatsRequest request, CancellationToken cancellationToken = default)
    {
        if (request.Stream && request.OneShot)
        {
            throw DaemonException.InvalidParameter(Messages.StatsStreamAndOneShot);
        }
        return StatsFramesAsync(Find(reference), request, cancellationToken);
    }

    private async IAsyncEnumerable<StatsFrame> StatsFramesAsync(Entry entry, StatsRequest request,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var current = new StatsSample();
        var previous = new StatsSample();
        if (!request.Stream)
        {
            ContainerRecord record = entry.Record;
            if (!IsCollectable(record))
            {
                yield return Frame(record, current, null);
                yield break;
            }
            if (!request.OneShot)
            {
                ReadSample(entry, previous);
                await Task.Delay(StatsInterval, _time, cancellationToken).ConfigureAwait(false);
            }
            ReadSample(entry, current);
            yield return Frame(entry.Record, current, request.OneShot ? null : previous);
            yield break;
        }
        bool first = true;
        while (!cancellationToken.IsCancellationRequested)
        {
            ReadSample(entry, current);
            yield return Frame(entry.Record, current, first ? null : previous);
            first = false;
            (current, previous) = (previous, current);
            await Task.Delay(StatsInterval, _time, cancellationToken).ConfigureAwait(false);
        }
    }

    private static bool IsCollectable(ContainerRecord record) => record.State.Running && !record.State.Restarting && record.Monitor is not null;

    private void ReadSample(Entry entry, StatsSample sample)
    {
        ContainerRecord record = entry.Record;
        sample.Reset();
        if (!IsCollectable(record))
        {
            return;
        }
        sample.Valid = Operations.ReadStats(record, sample);
        if (!sample.Valid)
        {
            sample.Reset(); // the cgroup went away with the container: zeroed, as dockerd
        }
    }

    private static StatsFrame Frame(ContainerRecord record, StatsSample current, StatsSample? previous) =>
        new(record.Id, "/" + record.Name, current, previous is { Valid: true } ? previous.Read : default, previous is { Valid: true } ? previous.Cpu : null);
}
