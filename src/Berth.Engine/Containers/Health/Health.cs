using System.Globalization;
using Berth.Engine.Errors;
using Berth.Engine.State;

namespace Berth.Engine.Containers;

public sealed partial class ContainerService
{
    /// <summary>
    /// Starts the health monitor of a running, unpaused container that has a probe (dockerd
    /// initHealthMonitor/updateHealthMonitor). <paramref name="reset"/>: a new run starts over
    /// as "starting" with no failures. Caller holds the gate. The state change is kept in
    /// memory only, as dockerd does for health; the next committed change persists it.
    /// </summary>
    private void StartHealth(Entry entry, bool reset)
    {
        ContainerRecord record = entry.Record;
        IReadOnlyList<string>? command = HealthRules.ProbeCommand(record.Config.Healthcheck, record.Config.Shell);
        if (command is null || record.Config.Healthcheck is not { } config || record.State.Paused)
        {
            return; // a paused container (also one restored paused) gets its monitor at unpause
        }
        entry.HealthStop?.Cancel();
        if (reset || record.State.Health is null)
        {
            HealthState health = (record.State.Health ?? new HealthState()) with { Status = HealthState.Starting, FailingStreak = 0 };
            entry.Record = record with { State = record.State with { Health = health } };
        }
        var stop = new CancellationTokenSource();
        entry.HealthStop = stop;
        DateTimeOffset startedAt = record.State.StartedAt ?? _time.GetUtcNow();
        entry.HealthLoop = Task.Run(() => HealthLoopAsync(entry, stop, config, command, startedAt));
    }

    /// <summary>Stops the monitor; pause (not exit, whose state transition does it) marks the container unhealthy as dockerd.</summary>
    private void StopHealth(Entry entry, bool markUnhealthy)
    {
        if (entry.HealthStop is not { } stop)
        {
            return;
        }
        entry.HealthStop = null;
        stop.Cancel();
        ContainerRecord record = entry.Record;
        if (markUnhealthy && record.State.Health is { } health)
        {
            entry.Record = record with { State = record.State with { Health = health with { Status = HealthState.Unhealthy } } };
        }
    }

    private async Task HealthLoopAsync(Entry entry, CancellationTokenSource stop, HealthSettings config, IReadOnlyList<string> command,
        DateTimeOffset startedAt)
    {
        CancellationToken token = stop.Token;
        try
        {
            while (!token.IsCancellationRequested)
            {
                string status = entry.Record.State.Health?.Status ?? HealthState.Starting;
                await Task.Delay(HealthRules.NextDelay(config, _time.GetUtcNow() - startedAt, status), _time, token).ConfigureAwait(false);
                HealthLogEntry result = await ProbeOnceAsync(entry, command, HealthRules.Timeout(config), token).ConfigureAwait(false);
                await ApplyProbeResultAsync(entry, stop, config, result, startedAt).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
            // stopped by exit, pause or removal
        }
        catch (Exception e) when (e is DaemonException or IOException or InvalidOperationException)
        {
            LogOpsFailed(entry.Record.Id, "health check", e.Message);
        }
    }

    /// <summary>One probe as an exec session: exec_create, exec_start and exec_die events as dockerd's probes give.</summary>
    private async Task<HealthLogEntry> ProbeOnceAsync(Entry entry, IReadOnlyList<string> command, TimeSpan timeout, CancellationToken token)
    {
        ContainerRecord record = entry.Record;
        string execId = IdGenerator.NewId();
        string commandLine = string.Join(' ', command);
        var execAttributes = new Dictionary<string, string> { ["execID"] = execId };
        Publish(record, "exec_create: " + commandLine, execAttributes);
        DateTimeOffset start = _time.GetUtcNow();
        ProbeOutcome outcome;
        try
        {
            Publish(record, "exec_start: " + commandLine, execAttributes);
            outcome = await Operations.RunProbeAsync(record, execId, command, timeout, token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is DaemonException or IOException or TimeoutException)
        {
            // dockerd records a probe that could not run as exit code -1 with the error.
            outcome = new ProbeOutcome(-1, e.Message);
        }
        token.ThrowIfCancellationRequested();
        Publish(record, "exec_die", new Dictionary<string, string>
        {
            ["execID"] = execId,
            ["exitCode"] = outcome.ExitCode.ToString(CultureInfo.InvariantCulture),
        });
        return outcome.TimedOut
            ? new HealthLogEntry(start, _time.GetUtcNow(), -1, HealthRules.TimeoutOutput(timeout, outcome.Output))
            : new HealthLogEntry(start, _time.GetUtcNow(), outcome.ExitCode, outcome.Output);
    }

    private async Task ApplyProbeResultAsync(Entry entry, CancellationTokenSource run, HealthSettings config, HealthLogEntry result,
        DateTimeOffset startedAt)
    {
        await entry.Gate.WaitAsync(run.Token).ConfigureAwait(false);
        try
        {
            if (entry.HealthStop != run)
            {
                return; // stopped while probing: the result belongs to a finished run
            }
            ContainerRecord record = entry.Record;
            HealthState before = record.State.Health ?? new HealthState();
            HealthState after = HealthRules.Apply(before, config, result, startedAt);
            entry.Record = record with { State = record.State with { Health = after } };
            if (after.Status != before.Status)
            {
                Publish(entry.Record, "health_status: " + after.Status);
            }
        }
        finally
        {
            entry.Gate.Release();
        }
    }
}
