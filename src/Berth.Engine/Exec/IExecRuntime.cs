using Berth.Engine.Containers;

namespace Berth.Engine.Exec;

/// <summary>Runs exec processes in running containers (Berth.Runtime implements it on conmon).</summary>
public interface IExecRuntime
{
    /// <summary>Returns once the process runs (its pid is known); a process that cannot start is a DaemonException.</summary>
    Task<IExecProcess> StartAsync(ExecProcessRequest request, CancellationToken cancellationToken = default);
}

/// <summary>One running exec process.</summary>
public interface IExecProcess
{
    /// <summary>Host pid.</summary>
    int Pid { get; }

    /// <summary>Set for attached starts: connected before the process started, so no output is lost.</summary>
    IContainerStreams? Streams { get; }

    /// <summary>The exit code (128+signal when killed).</summary>
    Task<int> Exited { get; }

    void Resize(int rows, int columns);
}
