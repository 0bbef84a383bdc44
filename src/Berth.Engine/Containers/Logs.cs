using System.Globalization;
using Berth.Engine.Containers.Logs;
using Berth.Engine.Errors;

namespace Berth.Engine.Containers;

public sealed partial class ContainerService
{
    /// <summary>
    /// The record and, for a running container, the task that completes when this run ends.
    /// The waiter is read before the record: exit handling commits "exited" before it swaps the
    /// waiter, so a running record always comes with this run's waiter (or an already completed one).
    /// </summary>
    public ContainerLogTarget GetLogTarget(string reference)
    {
        Entry entry = Find(reference);
        Task exited = entry.NextExit.Task;
        Interlocked.MemoryBarrier();
        ContainerRecord record = entry.Record;
        return new ContainerLogTarget(record, entry.RemovalInProgress, record.State.Running ? exited : null);
    }

    /// <summary>POST /containers/{id}/resize (moby daemon/resize.go): 409 unless running; a "resize" event.</summary>
    public void Resize(string reference, int height, int width)
    {
        Entry entry = Find(reference);
        ContainerRecord record = entry.Record;
        if (!record.State.Running || record.Monitor is not { } handle)
        {
            throw DaemonException.Conflict(Messages.ContainerNotRunningLower(record.Id));
        }
        if (record.Config.Tty)
        {
            // Without a terminal there is nothing to size: containerd's shim ignores it too.
            _runtime.Resize(handle, record.Id, Math.Max(0, height), Math.Max(0, width));
        }
        Publish(record, "resize", new Dictionary<string, string>
        {
            ["height"] = height.ToString(CultureInfo.InvariantCulture),
            ["width"] = width.ToString(CultureInfo.InvariantCulture),
        });
    }

    /// <summary>"attach"/"detach" events, as dockerd logs them around an attach.</summary>
    public void PublishAttachEvent(string reference, string action)
    {
        if (TryFind(reference) is { } entry)
        {
            Publish(entry.Record, action);
        }
    }

    private Entry? TryFind(string reference)
    {
        try
        {
            return Find(reference);
        }
        catch (DaemonException e) when (e.Kind == ErrorKind.NotFound)
        {
            return null;
        }
    }
}
