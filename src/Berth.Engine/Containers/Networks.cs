using Berth.Engine.Errors;
using Berth.Engine.Networks;

namespace Berth.Engine.Containers;

/// <summary>
/// The container side of networking: connect/disconnect (POST /networks/{id}/connect and
/// /disconnect reach the container through <see cref="INetworkAttacher"/>), the namespace a
/// "container:x" container joins, and the /etc/hosts rewrite when addresses change.
/// </summary>
public sealed partial class ContainerService : INetworkAttacher
{
    /// <summary>Networking (Berth.Networking); null runs every container in a fresh namespace with only lo.</summary>
    public IContainerNetworking? Networking { get; set; }

    public async Task ConnectAsync(string container, string network, EndpointSettings config, CancellationToken cancellationToken = default)
    {
        Entry entry = Find(container);
        var networking = Networking ?? throw DaemonException.NotImplemented(Messages.ContainerNetworkingUnsupported);
        await entry.Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ContainerRecord record = entry.Record;
            if (!record.State.Running)
            {
                CheckNotRemoving(entry, record);
                Commit(entry, record with { NetworkSettings = networking.ConnectStopped(record, network, config) });
                return;
            }
            var settings = await networking.ConnectAsync(record, network, config, cancellationToken).ConfigureAwait(false);
            record = Commit(entry, record with { NetworkSettings = settings });
            WriteHostsQuietly(record);
        }
        finally
        {
            entry.Gate.Release();
        }
    }

    public async Task DisconnectAsync(string container, string network, bool force, CancellationToken cancellationToken = default)
    {
        Entry entry = Find(container);
        var networking = Networking ?? throw DaemonException.NotImplemented(Messages.ContainerNetworkingUnsupported);
        await entry.Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ContainerRecord record = entry.Record;
            if (!record.State.Running)
            {
                CheckNotRemoving(entry, record);
                Commit(entry, record with { NetworkSettings = networking.DisconnectStopped(record, network, force) });
                return;
            }
            var settings = await networking.DisconnectAsync(record, network, force, cancellationToken).ConfigureAwait(false);
            record = Commit(entry, record with { NetworkSettings = settings });
            WriteHostsQuietly(record);
        }
        finally
        {
            entry.Gate.Release();
        }
    }

    private static void CheckNotRemoving(Entry entry, ContainerRecord record)
    {
        if (entry.RemovalInProgress || record.State.Status is ContainerStatus.Removing or ContainerStatus.Dead)
        {
            throw DaemonException.System(Messages.ContainerMarkedForRemoval(record.Id));
        }
    }

    /// <summary>
    /// "container:x": the namespace of x, which must run (dockerd getNetworkedContainer). Its pinned
    /// namespace when it has one, else its init's (x runs on the host network or in runc's own).
    /// </summary>
    private string? NetworkPeerNamespace(ContainerRecord record)
    {
        string mode = record.HostConfig.NetworkMode;
        const string Prefix = "container:";
        if (!mode.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return null;
        }
        Entry peer;
        try
        {
            peer = Find(mode[Prefix.Length..]);
        }
        catch (DaemonException e) when (e.Kind == ErrorKind.NotFound)
        {
            throw DaemonException.System(Messages.JoinNamespaceFailed(e.Message), e);
        }
        ContainerRecord p = peer.Record;
        if (p.Id == record.Id)
        {
            throw DaemonException.System(Messages.JoinOwnNetworkNamespace);
        }
        if (!p.State.Running)
        {
            throw DaemonException.Conflict(Messages.JoinNonRunningContainer(p.Name, ContainerState.StatusText(p.State.Status)));
        }
        return p.NetworkSettings.SandboxKey is { Length: > 0 } key && p.HostConfig.NetworkMode != "host"
            ? key
            : $"/proc/{p.State.Pid}/ns/net";
    }

    /// <summary>/etc/hosts follows the container's addresses (it is bind-mounted, so it is rewritten in place).</summary>
    private void WriteHostsQuietly(ContainerRecord record)
    {
        try
        {
            ContainerFiles.WriteHosts(record);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            LogCleanupFailed(record.Id, "hosts file", e.Message);
        }
    }
}
