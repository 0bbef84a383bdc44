using Berth.Engine.Containers;

namespace Berth.Engine.Exec;

/// <summary>The exec endpoints' backend (dockerd's daemon/exec.go). Exec instances live in memory only, as in dockerd.</summary>
public interface IExecService
{
    /// <summary>Registers an exec instance in a running container; returns its id.</summary>
    string Create(string containerReference, ExecCreateOptions options);

    /// <summary>dockerd's ExecExists: 404/409 before the start hijacks the connection.</summary>
    void EnsureStartable(string execId);

    /// <summary>Starts the process. Attached starts return its streams; detached ones return once it runs.</summary>
    Task<ExecRun> StartAsync(string execId, ExecStartOptions options, CancellationToken cancellationToken = default);

    ExecInspection Inspect(string execId);

    Task ResizeAsync(string execId, int height, int width, CancellationToken cancellationToken = default);

    /// <summary>The client left an attached TTY exec with the detach keys (exec_detach).</summary>
    void Detached(string execId);
}

/// <summary>Exec ids a container inspect shows: created or running, in its current run.</summary>
public interface IExecIdSource
{
    IReadOnlyList<string> ExecIdsOf(ContainerRecord container);
}
