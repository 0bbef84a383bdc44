using Berth.Engine.Errors;

namespace Berth.Engine.Containers;

public sealed partial class ContainerService : IContainerOpsService
{
    private readonly IContainerOperations _operations = NoContainerOperations.Instance;
    private readonly Lock _oomLock = new();
    private bool _oomWatching;

    /// <summary>The runtime's cgroup/proc/probe operations (set by the composition root).</summary>
    public IContainerOperations Operations
    {
        get => _operations;
        init => _operations = value;
    }

    /// <summary>Per-run bookkeeping of the operations: health monitor, OOM counter.</summary>
    private sealed partial class Entry
    {
        /// <summary>Cancels the current health monitor; replaced at every start/unpause.</summary>
        public CancellationTokenSource? HealthStop { get; set; }

        /// <summary>The current health monitor loop (its probe may still be winding down after a cancel).</summary>
        public Task HealthLoop { get; set; } = Task.CompletedTask;

        /// <summary>OOM kills the memory cgroup had counted when last looked at (this run).</summary>
        public long OomKills { get; set; }
    }

    /// <summary>After the running state is committed (start, recovery). Caller holds the gate.</summary>
    private void OnStarted(Entry entry)
    {
        entry.OomKills = Operations.OomKillCount(entry.Record) ?? 0;
        EnsureOomWatch();
        StartHealth(entry, reset: true);
    }

    /// <summary>After the exit is committed. Caller holds the gate.</summary>
    private void OnExited(Entry entry) => StopHealth(entry, markUnhealthy: false);

    /// <summary>
    /// Before the runtime cleans up after an exit: a probe still running has its exec monitor in
    /// the container's monitor cgroup, which could then not be removed. Stops the health monitor
    /// and waits (bounded) for its probe to end. Caller holds the gate; the loop never waits
    /// for the gate once cancelled.
    /// </summary>
    private async Task StopProbesAsync(Entry entry)
    {
        StopHealth(entry, markUnhealthy: false);
        try
        {
            await entry.HealthLoop.WaitAsync(TimeSpan.FromSeconds(15)).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            LogOpsFailed(entry.Record.Id, "waiting for the health probe to end", "timed out");
        }
    }

    /// <summary>
    /// dockerd's kill: a paused container is thawed after a signal that should end it (its stop
    /// signal, SIGKILL, or any signal when it has no stop signal), so the signal is delivered.
    /// </summary>
    private async Task ThawAfterSignalAsync(Entry entry, int signal)
    {
        ContainerRecord record = entry.Record;
        if (!record.State.Paused)
        {
            return;
        }
        string? stop = record.Config.StopSignal;
        bool endsIt = string.IsNullOrEmpty(stop) || signal == Signals.SIGKILL || Signals.Parse(stop) == signal;
        if (!endsIt)
        {
            return;
        }
        try
        {
            await Operations.SetFrozenAsync(record, frozen: false).ConfigureAwait(false);
        }
        catch (Exception e) when (e is DaemonException or IOException)
        {
            LogOpsFailed(record.Id, "unpause after kill", e.Message);
        }
    }

    /// <summary>
    /// dockerd emits "oom" when the memory cgroup kills a process, not only at exit: one loop
    /// polls the OOM counter of running containers each second while any run.
    /// </summary>
    private void EnsureOomWatch()
    {
        lock (_oomLock)
        {
            if (_oomWatching)
            {
                return;
            }
            _oomWatching = true;
        }
        _ = Task.Run(WatchOomAsync);
    }

    private async Task WatchOomAsync()
    {
        while (true)
        {
            await Task.Delay(TimeSpan.FromSeconds(1), _time).ConfigureAwait(false);
            bool any = false;
            foreach (Entry entry in Snapshot())
            {
                ContainerRecord record = entry.Record;
                if (!record.State.Running || record.Monitor is null)
                {
                    continue;
                }
                any = true;
                if (Operations.OomKillCount(record) is long count && count > entry.OomKills)
                {
                    await RecordOomAsync(entry, record.Monitor, count).ConfigureAwait(false);
                }
            }
            if (!any)
            {
                lock (_oomLock)
                {
                    // Re-checked under the lock: a start commits before it calls EnsureOomWatch.
                    if (!Snapshot().Any(e => e.Record.State.Running))
                    {
                        _oomWatching = false;
                        return;
                    }
                }
            }
        }
    }

    private async Task RecordOomAsync(Entry entry, MonitorHandle run, long count)
    {
        await entry.Gate.WaitAsync().ConfigureAwait(false);
        try
        {
            ContainerRecord record = entry.Record;
            if (record.Monitor?.ConmonPid != run.ConmonPid || !record.State.Running)
            {
                return; // exited meanwhile: the exit handler reports it
            }
            entry.OomKills = count;
            if (!record.State.OOMKilled)
            {
                record = Commit(entry, record with { State = record.State with { OOMKilled = true } });
            }
            Publish(record, "oom");
        }
        finally
        {
            entry.Gate.Release();
        }
    }
}

public sealed partial class ContainerService
{
    /// <summary>dockerd's verifyContainerSettings (health check, resources) and adaptContainerSettings at create.</summary>
    private HostSettings VerifyForCreate(CreateRequest request, List<string> warnings)
    {
        HealthRules.Validate(request.Config.Healthcheck);
        // dockerd's getRuntime: only configured runtimes (and containerd's name for runc) are known.
        if (_options.Runtimes.Reject(request.HostConfig.Runtime) is string unknownRuntime)
        {
            throw DaemonException.InvalidParameter(unknownRuntime);
        }
        return ResourceRules.AdaptForCreate(ResourceRules.Verify(request.HostConfig, Operations.Support, update: false, warnings));
    }
}
