using System.Collections.Concurrent;
using Berth.Engine.Containers;
using Berth.Engine.Errors;
using Berth.Engine.Events;
using Berth.Engine.State;
using Microsoft.Extensions.Logging;

namespace Berth.Engine.Exec;

/// <summary>
/// Exec instances (moby daemon/exec.go): created in a running container, started once, then
/// kept for inspect until garbage collection. In memory only, as in dockerd. An exec belongs to
/// one run of its container: when that run ends, execs that never finished disappear (dockerd
/// unregisters them at container cleanup) while finished ones stay inspectable.
/// </summary>
public sealed partial class ExecService : IExecService, IExecIdSource, IDisposable
{
    /// <summary>dockerd's execCommandGC period; a finished exec goes after one to two periods.</summary>
    public static readonly TimeSpan GcInterval = TimeSpan.FromMinutes(5);

    /// <summary>dockerd records 126 for an exec whose start failed (any reason).</summary>
    public const int StartFailedExitCode = 126;

    /// <summary>The exit code recorded when the monitor could not report one.</summary>
    public const int UnknownExitCode = 255;

    private static readonly TimeSpan ResizeWait = TimeSpan.FromSeconds(10);

    private readonly IContainerService _containers;
    private readonly IExecRuntime _runtime;
    private readonly IEventBus _events;
    private readonly TimeProvider _time;
    private readonly ILogger _log;
    private readonly ConcurrentDictionary<string, ExecRecord> _execs = new(StringComparer.Ordinal);
    private readonly ITimer _gc;
    private long _sequence;

    public ExecService(IContainerService containers, IExecRuntime runtime, IEventBus events, TimeProvider time, ILogger log)
    {
        _containers = containers;
        _runtime = runtime;
        _events = events;
        _time = time;
        _log = log;
        _gc = time.CreateTimer(_ => CollectGarbage(), null, GcInterval, GcInterval);
    }

    public string Create(string containerReference, ExecCreateOptions options)
    {
        if (options.Cmd.Count == 0)
        {
            throw DaemonException.InvalidParameter(Messages.NoExecCommand);
        }
        ContainerRecord container = _containers.Get(containerReference);
        EnsureActive(container, containerReference);
        if (options.InvalidDetachKeys is { } invalid)
        {
            throw DaemonException.System(Messages.InvalidEscapeKeys(invalid)); // a plain error in dockerd: 500
        }
        var exec = new ExecRecord
        {
            Id = IdGenerator.NewId(),
            Sequence = Interlocked.Increment(ref _sequence),
            ContainerId = container.Id,
            RunStartedAt = container.State.StartedAt,
            Entrypoint = options.Cmd[0],
            Arguments = [.. options.Cmd.Skip(1)],
            Env = options.Env,
            User = options.User.Length > 0 ? options.User : container.Config.User,
            WorkingDir = options.WorkingDir.Length > 0 ? options.WorkingDir : container.Config.WorkingDir,
            Tty = options.Tty,
            Privileged = options.Privileged,
            OpenStdin = options.AttachStdin,
            OpenStdout = options.AttachStdout,
            OpenStderr = options.AttachStderr,
            DetachKeys = options.DetachKeys,
            ConsoleSize = options.ConsoleSize,
        };
        _execs[exec.Id] = exec;
        Publish(container, "exec_create: " + exec.CommandLine, exec.Id);
        return exec.Id;
    }

    public void EnsureStartable(string execId) => GetStartable(execId);

    public ExecInspection Inspect(string execId)
    {
        ExecRecord exec = Lookup(execId);
        ContainerRecord? container = TryGetContainer(exec.ContainerId);
        if (container is null || !Visible(exec, container))
        {
            throw DaemonException.NotFound(Messages.NoSuchExec(execId));
        }
        lock (exec.Lock)
        {
            return new ExecInspection(exec.Id, exec.ContainerId, exec.Running, exec.ExitCode, exec.Pid, exec.Tty, exec.Entrypoint,
                exec.Arguments, exec.Privileged, exec.User, exec.OpenStdin, exec.OpenStdout, exec.OpenStderr, exec.CanRemove, exec.DetachKeys);
        }
    }

    /// <summary>dockerd's ContainerExecResize: waits up to 10 s for the start, then resizes the process's TTY.</summary>
    public async Task ResizeAsync(string execId, int height, int width, CancellationToken cancellationToken = default)
    {
        (ExecRecord exec, _) = GetStartable(execId);
        try
        {
            await exec.Started.Task.WaitAsync(ResizeWait, _time, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            throw DaemonException.System(Messages.ExecSessionNotReady);
        }
        IExecProcess? process;
        bool exited;
        lock (exec.Lock)
        {
            process = exec.Process;
            exited = exec.ExitCode is not null;
        }
        if (process is null)
        {
            throw DaemonException.InvalidParameter(Messages.ExecProcessNotStarted);
        }
        if (exited)
        {
            throw DaemonException.NotFound(Messages.ExecProcessGone);
        }
        try
        {
            process.Resize(height, width);
        }
        catch (DaemonException e) when (e.Kind == ErrorKind.Conflict)
        {
            throw new DaemonException(ErrorKind.NotFound, Messages.ExecProcessGone, e); // exited meanwhile
        }
    }

    public void Detached(string execId)
    {
        if (_execs.TryGetValue(execId, out ExecRecord? exec) && TryGetContainer(exec.ContainerId) is { } container)
        {
            Publish(container, "exec_detach", exec.Id);
        }
    }

    public IReadOnlyList<string> ExecIdsOf(ContainerRecord container)
    {
        var ids = new List<(long, string)>();
        foreach (ExecRecord exec in _execs.Values)
        {
            if (exec.ContainerId == container.Id && InCurrentRun(exec, container))
            {
                lock (exec.Lock)
                {
                    if (exec.ExitCode is null)
                    {
                        ids.Add((exec.Sequence, exec.Id));
                    }
                }
            }
        }
        ids.Sort();
        return [.. ids.Select(i => i.Item2)];
    }

    public void Dispose() => _gc.Dispose();

    /// <summary>
    /// dockerd's two-phase sweep: a finished exec is marked CanRemove, and removed at the next
    /// sweep. Execs nothing can reach any more (container removed, or never started in a run
    /// that ended) go at once.
    /// </summary>
    public void CollectGarbage()
    {
        foreach (ExecRecord exec in _execs.Values)
        {
            ContainerRecord? container = TryGetContainer(exec.ContainerId);
            bool current = container is not null && InCurrentRun(exec, container);
            bool remove;
            lock (exec.Lock)
            {
                bool finished = exec.ExitCode is not null;
                remove = exec.CanRemove || (!exec.Running && (container is null || (!finished && !current)));
                if (!remove && (finished || !current))
                {
                    exec.CanRemove = true;
                }
            }
            if (remove)
            {
                _execs.TryRemove(exec.Id, out _);
            }
        }
    }

    private ExecRecord Lookup(string execId) =>
        _execs.TryGetValue(execId, out ExecRecord? exec) ? exec : throw DaemonException.NotFound(Messages.NoSuchExec(execId));

    /// <summary>dockerd's getExecConfig: the exec must exist and its container run (not paused or restarting).</summary>
    private (ExecRecord Exec, ContainerRecord Container) GetStartable(string execId)
    {
        ExecRecord exec = Lookup(execId);
        ContainerRecord? container = TryGetContainer(exec.ContainerId);
        if (!Visible(exec, container))
        {
            throw DaemonException.NotFound(Messages.NoSuchExec(execId));
        }
        if (container is null)
        {
            throw DaemonException.NotFound(Messages.NoSuchObject("container", execId)); // sic: dockerd names the exec
        }
        EnsureActive(container, container.Id);
        return (exec, container);
    }

    /// <summary>dockerd's getActiveContainer checks, in its order.</summary>
    private static void EnsureActive(ContainerRecord container, string reference)
    {
        ContainerState state = container.State;
        if (!state.Running)
        {
            throw DaemonException.Conflict(Messages.ContainerNotRunning(container.Id));
        }
        if (state.Paused)
        {
            throw DaemonException.Conflict(Messages.ExecContainerPaused(reference));
        }
        if (state.Restarting)
        {
            throw DaemonException.Conflict(Messages.ContainerRestarting(container.Id));
        }
    }

    private static bool InCurrentRun(ExecRecord exec, ContainerRecord container) =>
        container.State.Running && container.State.StartedAt == exec.RunStartedAt;

    /// <summary>Finished execs stay visible; unfinished ones only while their container run lasts.</summary>
    private static bool Visible(ExecRecord exec, ContainerRecord? container)
    {
        lock (exec.Lock)
        {
            if (exec.ExitCode is not null)
            {
                return true;
            }
        }
        return container is not null && InCurrentRun(exec, container);
    }

    private ContainerRecord? TryGetContainer(string id)
    {
        try
        {
            return _containers.Get(id);
        }
        catch (DaemonException e) when (e.Kind is ErrorKind.NotFound or ErrorKind.InvalidParameter)
        {
            return null;
        }
    }

    /// <summary>moby LogContainerEventWithAttributes: labels, image, name, then execID (and extras).</summary>
    private void Publish(ContainerRecord container, string action, string execId, int? exitCode = null)
    {
        var attributes = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in container.Config.Labels)
        {
            attributes[key] = value;
        }
        attributes["image"] = container.Config.Image;
        attributes["name"] = container.Name;
        attributes["execID"] = execId;
        if (exitCode is int code)
        {
            attributes["exitCode"] = code.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        _events.Publish(EventTypes.Container, action, container.Id, attributes);
    }

    [LoggerMessage(EventId = 800, Level = LogLevel.Information, Message = "exec {ExecId} in container {ContainerId}: start failed: {Reason}")]
    private partial void LogStartFailed(string execId, string containerId, string reason);

    [LoggerMessage(EventId = 801, Level = LogLevel.Warning, Message = "exec {ExecId} in container {ContainerId}: exit code unknown: {Reason}")]
    private partial void LogExitUnknown(string execId, string containerId, string reason);
}
