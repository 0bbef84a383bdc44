using Berth.Engine.Errors;

namespace Berth.Engine.Containers;

public sealed partial class ContainerService
{
    public static WaitCondition ParseWaitCondition(string? text) => text switch
    {
        null or "" or "not-running" => WaitCondition.NotRunning,
        "next-exit" => WaitCondition.NextExit,
        "removed" => WaitCondition.Removed,
        _ => throw DaemonException.InvalidParameter(Messages.InvalidWaitCondition(text)),
    };

    /// <summary>
    /// The waiter is chosen synchronously, before the first await, so an exit right after the
    /// router flushed its headers is still seen (the CLI waits before it starts).
    /// </summary>
    public Task<WaitResult> WaitAsync(string reference, WaitCondition condition, CancellationToken cancellationToken = default)
    {
        Entry entry = Find(reference);
        Task<WaitResult> task;
        switch (condition)
        {
            case WaitCondition.NotRunning:
                ContainerRecord record = entry.Record;
                task = record.State.Running ? entry.NextExit.Task : Task.FromResult(new WaitResult(record.State.ExitCode, null));
                break;
            case WaitCondition.NextExit:
                task = entry.NextExit.Task;
                break;
            default:
                task = entry.Removed.Task;
                break;
        }
        return task.WaitAsync(cancellationToken);
    }
}
