using System.Collections.Concurrent;

namespace Berth.Runtime.Containers;

/// <summary>
/// Per-container work that finishes after the call that started it: the runtime's own state
/// of an exited container (`runtime delete`, monitor files, cgroups, bundle) costs a runtime
/// process start (~8 ms) and nothing on the API needs it gone before "die" is reported.
/// A later create of the same id waits for it; start-up and shutdown wait for all of it.
/// </summary>
internal sealed class BackgroundDrops
{
    private readonly ConcurrentDictionary<string, Task> _pending = new(StringComparer.Ordinal);

    /// <summary>Starts <paramref name="work"/> for <paramref name="id"/> after any earlier one.</summary>
    public void Start(string id, Func<Task> work)
    {
        Task previous = WhenDone(id);
        Task task = RunAfterAsync(previous, work);
        _pending[id] = task;
        // Forget work that succeeded (unless something newer replaced it); a failure stays until
        // someone asks for it, so it cannot slip past a waiter that comes a moment late.
        _ = task.ContinueWith(
            t => _pending.TryRemove(new KeyValuePair<string, Task>(id, t)),
            CancellationToken.None, TaskContinuationOptions.OnlyOnRanToCompletion | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    /// <summary>Completes when the work for <paramref name="id"/> is done; faults as it did (once).</summary>
    public Task WhenDone(string id)
    {
        if (!_pending.TryGetValue(id, out Task? task))
        {
            return Task.CompletedTask;
        }
        if (task.IsFaulted)
        {
            _pending.TryRemove(new KeyValuePair<string, Task>(id, task));
        }
        return task;
    }

    /// <summary>Everything still running (daemon shutdown waits for it).</summary>
    public Task WhenAllDone() => Task.WhenAll(_pending.Values.Select(t => t.ContinueWith(_ => { }, TaskScheduler.Default)));

    private static async Task RunAfterAsync(Task previous, Func<Task> work)
    {
        try
        {
            await previous.ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // the earlier failure was reported to whoever awaited it
        }
        await Task.Yield(); // the caller returns before the work starts
        await work().ConfigureAwait(false);
    }
}
