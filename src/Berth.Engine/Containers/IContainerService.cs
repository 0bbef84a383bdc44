using Berth.Engine.Filters;
using Berth.Engine.SystemInfo;

namespace Berth.Engine.Containers;

/// <summary>GET /containers/json options.</summary>
public sealed record ContainerListOptions(bool All, int Limit, bool Size, FilterArgs Filters);

/// <summary>One row of GET /containers/json, computed from a snapshot.</summary>
public sealed record ContainerSummary(ContainerRecord Record, string Image, string Command, long? SizeRw, long? SizeRootFs)
{
    /// <summary>NetworkSettings.Ports of a running container (see <see cref="Networks.IPublishedPortSource"/>); null: none.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<Networks.PublishedPort>?>? Ports { get; init; }
}

/// <summary>What inspect shows: the record plus the derived bits.</summary>
public sealed record ContainerDetails(ContainerRecord Record, IReadOnlyList<string> ExecIds, string? UpperDir, string? MergedDir, string? LowerDir, string? WorkDir)
{
    /// <summary>NetworkSettings.Ports of a running container; null: none (shown as {}).</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<Networks.PublishedPort>?>? Ports { get; init; }
}

public enum WaitCondition
{
    NotRunning,
    NextExit,
    Removed,
}

/// <summary>The body of POST /containers/{id}/wait.</summary>
public sealed record WaitResult(int StatusCode, string? Error);

/// <summary>The stop/kill/restart knobs the API passes through.</summary>
public sealed record StopOptions(string? Signal, int? TimeoutSeconds);

/// <summary>Everything the containers router (and later attach/logs/exec routes) needs.</summary>
public interface IContainerService
{
    Task<CreateResult> CreateAsync(CreateRequest request, CancellationToken cancellationToken = default);

    /// <summary>Returns false when the container was already running (304).</summary>
    Task<bool> StartAsync(string reference, CancellationToken cancellationToken = default);

    /// <summary>Returns false when the container was not running (304).</summary>
    Task<bool> StopAsync(string reference, StopOptions options, CancellationToken cancellationToken = default);

    Task KillAsync(string reference, string? signal, CancellationToken cancellationToken = default);

    Task RestartAsync(string reference, StopOptions options, CancellationToken cancellationToken = default);

    /// <summary>
    /// Registers the waiter synchronously (before the returned task is awaited): the caller may
    /// flush response headers right after and still catch an exit that follows at once.
    /// </summary>
    Task<WaitResult> WaitAsync(string reference, WaitCondition condition, CancellationToken cancellationToken = default);

    Task RemoveAsync(string reference, bool force, bool removeVolumes, CancellationToken cancellationToken = default);

    void Rename(string reference, string newName);

    IReadOnlyList<ContainerSummary> List(ContainerListOptions options);

    ContainerDetails Inspect(string reference);

    /// <summary>The current snapshot of one container (attach/logs/exec routes).</summary>
    ContainerRecord Get(string reference);

    /// <summary>
    /// Connects to a container's stdio. For a container that is not started yet the connection
    /// is made when it starts, before the runtime starts the process, so no output is lost.
    /// </summary>
    Task<IContainerStreams> AttachAsync(string reference, CancellationToken cancellationToken = default);

    ContainerCounts Counts();

    /// <summary>The record plus, while it runs, a task completing at the end of this run (docker logs -f).</summary>
    Logs.ContainerLogTarget GetLogTarget(string reference);

    /// <summary>Sizes the container's terminal (no-op without one); 409 when not running.</summary>
    void Resize(string reference, int height, int width);

    /// <summary>Publishes "attach" or "detach" for the container (no-op when it is gone).</summary>
    void PublishAttachEvent(string reference, string action);
}
