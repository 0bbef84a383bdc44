using System.Globalization;
using Berth.Engine.Errors;

namespace Berth.Engine.Containers;

public sealed partial class ContainerService
{
    /// <summary>How long kill/stop wait for the exit after SIGKILL before giving up (dockerd: a bounded wait too).</summary>
    private static readonly TimeSpan KillWait = TimeSpan.FromSeconds(30);

    /// <summary>
    /// dockerd's stop: the stop signal (request, else the container's StopSignal, else SIGTERM),
    /// the grace period (request, else StopTimeout, else 10 s; -1 waits forever), then SIGKILL.
    /// Events: kill (per signal), then stop.
    /// </summary>
    public async Task<bool> StopAsync(string reference, StopOptions options, CancellationToken cancellationToken = default)
    {
        Entry entry = Find(reference);
        ContainerRecord record = entry.Record;
        int signal = Signals.Parse(options.Signal ?? (string.IsNullOrEmpty(record.Config.StopSignal) ? "SIGTERM" : record.Config.StopSignal));
        if (!record.State.Running)
        {
            return false;
        }
        int timeout = options.TimeoutSeconds ?? record.Config.StopTimeout ?? _options.DefaultStopTimeoutSeconds;
        Task<WaitResult> exited = entry.NextExit.Task;
        // A container waiting out its restart back-off has no process: cancelling is the stop.
        if (!await PrepareStopSignalAsync(entry, record.State.Restarting ? Signals.SIGKILL : signal).ConfigureAwait(false))
        {
            Publish(entry.Record, "stop");
            return true;
        }
        await SignalAsync(entry, signal).ConfigureAwait(false);
        bool done = timeout < 0
            ? await exited.WaitAsync(cancellationToken).ContinueWith(_ => true, TaskScheduler.Default).ConfigureAwait(false)
            : await WaitOrTimeoutAsync(exited, TimeSpan.FromSeconds(timeout), cancellationToken).ConfigureAwait(false);
        if (!done)
        {
            await PrepareStopSignalAsync(entry, Signals.SIGKILL).ConfigureAwait(false);
            await SignalAsync(entry, Signals.SIGKILL).ConfigureAwait(false);
            if (!await WaitOrTimeoutAsync(exited, KillWait, cancellationToken).ConfigureAwait(false))
            {
                throw DaemonException.System($"container {record.Id} did not exit after SIGKILL");
            }
        }
        Publish(entry.Record, "stop");
        return true;
    }

    /// <summary>Signals the init process and publishes "kill"; a container that exited meanwhile is not an error.</summary>
    private async Task SignalAsync(Entry entry, int signal)
    {
        ContainerRecord record = entry.Record;
        if (!record.State.Running)
        {
            return;
        }
        try
        {
            await _runtime.KillAsync(record.Monitor, record.Id, signal).ConfigureAwait(false);
        }
        catch (DaemonException e) when (e.Kind is ErrorKind.Conflict or ErrorKind.NotFound)
        {
            // exited between the check and the kill: its exit handler records it
        }
        await ThawAfterSignalAsync(entry, signal).ConfigureAwait(false);
        Publish(record, "kill", new Dictionary<string, string> { ["signal"] = signal.ToString(CultureInfo.InvariantCulture) });
    }

    private static async Task<bool> WaitOrTimeoutAsync(Task task, TimeSpan timeout, CancellationToken cancellationToken)
    {
        try
        {
            await task.WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }
}
