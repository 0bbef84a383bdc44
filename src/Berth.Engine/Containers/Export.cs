using Berth.Engine.Errors;

namespace Berth.Engine.Containers;

public sealed partial class ContainerService
{
    /// <summary>The checks of moby ContainerExport, before the response starts (409 for dead or removing containers).</summary>
    public ContainerRecord PrepareExport(string reference)
    {
        Entry entry = Find(reference);
        ContainerRecord record = entry.Record;
        if (record.State.Dead)
        {
            throw DaemonException.Conflict(Messages.ExportDead(record.Id));
        }
        if (entry.RemovalInProgress || record.State.Status == ContainerStatus.Removing)
        {
            throw DaemonException.Conflict(Messages.ExportRemoving(record.Id));
        }
        return record;
    }

    /// <summary>
    /// GET /containers/{id}/export: the merged root filesystem as a tar stream, then "export".
    /// A running container's mounted rootfs is read as is; a stopped one is mounted for the
    /// duration, holding the container's gate so a start cannot mount the same layer twice.
    /// </summary>
    public async Task ExportAsync(string reference, Stream output, CancellationToken cancellationToken = default)
    {
        ContainerRecord record = PrepareExport(reference);
        Entry entry = Find(record.Id);
        if (record.State.Running && record.Monitor is not null)
        {
            await Operations.ExportAsync(record, running: true, output, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            await entry.Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                record = entry.Record;
                await Operations.ExportAsync(record, running: record.State.Running && record.Monitor is not null, output, cancellationToken)
                    .ConfigureAwait(false);
            }
            finally
            {
                entry.Gate.Release();
            }
        }
        Publish(record, "export");
    }
}
