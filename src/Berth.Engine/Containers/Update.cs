using Berth.Engine.Errors;

namespace Berth.Engine.Containers;

public sealed partial class ContainerService
{
    /// <summary>
    /// POST /containers/{id}/update (moby ContainerUpdate): the values are verified first (400,
    /// before the container is even looked up, as dockerd), merged into the stored HostConfig
    /// (409 on conflicting CPU options), written to the live cgroup of a running or paused
    /// container, then committed; "update". A failed cgroup write puts the old values back.
    /// </summary>
    public async Task<UpdateResult> UpdateAsync(string reference, UpdateRequest request, CancellationToken cancellationToken = default)
    {
        var warnings = new List<string>();
        // validateHostConfig runs for updates too: a bad policy is a 400 before anything changes.
        Restart.RestartPolicies.Validate(request.Resources.RestartPolicy, autoRemove: false);
        HostSettings verified = ResourceRules.Verify(request.Resources, Operations.Support, update: true, warnings);
        Entry entry = Find(reference);
        await entry.Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ContainerRecord record = entry.Record;
            if (entry.RemovalInProgress || record.State.Status is ContainerStatus.Removing or ContainerStatus.Dead)
            {
                throw DaemonException.System(Messages.CannotUpdateRemoving(record.Id));
            }
            ContainerRecord next = record with { HostConfig = ResourceRules.Merge(record.HostConfig, verified, record.Id) };
            if (record.State.Running && !record.State.Restarting && record.Monitor is not null)
            {
                try
                {
                    Operations.ApplyResources(next);
                }
                catch (Exception e) when (e is DaemonException or IOException or UnauthorizedAccessException)
                {
                    TryApply(record);
                    throw DaemonException.System(Messages.CannotUpdate(record.Id, e.Message), e);
                }
            }
            next = Commit(entry, next);
            Publish(next, "update");
        }
        finally
        {
            entry.Gate.Release();
        }
        return new UpdateResult(warnings);
    }

    private void TryApply(ContainerRecord record)
    {
        try
        {
            Operations.ApplyResources(record);
        }
        catch (Exception e) when (e is DaemonException or IOException or UnauthorizedAccessException)
        {
            LogOpsFailed(record.Id, "restoring resources after a failed update", e.Message);
        }
    }
}
