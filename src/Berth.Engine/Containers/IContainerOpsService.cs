using Berth.Engine.Filters;

namespace Berth.Engine.Containers;

/// <summary>The body of POST /containers/{id}/update: resource values and a restart policy (empty name: unchanged).</summary>
public sealed record UpdateRequest(HostSettings Resources);

public sealed record UpdateResult(IReadOnlyList<string> Warnings);

/// <summary>GET /containers/{id}/top: ps's column titles and the rows of the container's processes.</summary>
public sealed record TopResult(IReadOnlyList<string> Titles, IReadOnlyList<IReadOnlyList<string>> Processes);

/// <summary>POST /containers/prune.</summary>
public sealed record ContainerPruneReport(IReadOnlyList<string> ContainersDeleted, long SpaceReclaimed);

/// <summary>What GET /containers/{id}/stats asks for.</summary>
/// <param name="Stream">One object per second until the client goes away.</param>
/// <param name="OneShot">With !Stream: a single reading, without waiting for a second one to fill precpu_stats.</param>
public sealed record StatsRequest(bool Stream, bool OneShot);

/// <summary>
/// One stats object to send. <see cref="Current"/> and <see cref="PreviousCpu"/> are reused by
/// the stream: serialise the frame before asking for the next one.
/// </summary>
public sealed record StatsFrame(string Id, string Name, StatsSample Current, DateTimeOffset PreviousRead, CpuSample? PreviousCpu);

/// <summary>The container operations beyond the lifecycle (dockerd's update, pause, top, stats, export, prune).</summary>
public interface IContainerOpsService
{
    Task<UpdateResult> UpdateAsync(string reference, UpdateRequest request, CancellationToken cancellationToken = default);

    Task PauseAsync(string reference, CancellationToken cancellationToken = default);

    Task UnpauseAsync(string reference, CancellationToken cancellationToken = default);

    Task<TopResult> TopAsync(string reference, string? psArgs, CancellationToken cancellationToken = default);

    /// <summary>Stats objects as dockerd sends them; the container is resolved before the first one (404 stays a plain error).</summary>
    IAsyncEnumerable<StatsFrame> StatsAsync(string reference, StatsRequest request, CancellationToken cancellationToken = default);

    /// <summary>Resolves and checks the container before any byte is written (errors stay plain HTTP errors).</summary>
    ContainerRecord PrepareExport(string reference);

    Task ExportAsync(string reference, Stream output, CancellationToken cancellationToken = default);

    Task<ContainerPruneReport> PruneAsync(FilterArgs filters, CancellationToken cancellationToken = default);
}
