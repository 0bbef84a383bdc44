using Berth.Engine.Containers;
using Berth.Engine.Errors;

namespace Berth.Engine.Exec;

public sealed partial class ExecService
{
    /// <summary>
    /// dockerd's ContainerExecStart: once only (409 after), exec_start, then the runtime. A start
    /// that fails records exit code 126 whatever the cause, as dockerd does. The process runs on
    /// when the client goes away (dockerd starts it with a background context too).
    /// </summary>
    public async Task<ExecRun> StartAsync(string execId, ExecStartOptions options, CancellationToken cancellationToken = default)
    {
        (ExecRecord exec, ContainerRecord container) = GetStartable(execId);
        lock (exec.Lock)
        {
            if (exec.ExitCode is not null)
            {
                throw DaemonException.Conflict(Messages.ExecAlreadyRun(exec.Id));
            }
            if (exec.Running)
            {
                throw DaemonException.Conflict(Messages.ExecAlreadyRunning(exec.Id));
            }
            exec.Running = true;
        }
        Publish(container, "exec_start: " + exec.CommandLine, exec.Id);

        var request = new ExecProcessRequest
        {
            ExecId = exec.Id,
            Container = container,
            Args = [exec.Entrypoint, .. exec.Arguments],
            Env = exec.Env,
            User = exec.User,
            WorkingDir = exec.WorkingDir,
            Tty = exec.Tty,
            Privileged = exec.Privileged,
            OpenStdin = exec.OpenStdin && !options.Detach,
            Attach = !options.Detach,
            ConsoleSize = exec.Tty ? options.ConsoleSize ?? exec.ConsoleSize : null,
        };
        IExecProcess process;
        try
        {
            process = await _runtime.StartAsync(request, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e) when (e is DaemonException or IOException or UnauthorizedAccessException)
        {
            lock (exec.Lock)
            {
                exec.Running = false;
                exec.ExitCode = StartFailedExitCode;
            }
            exec.Started.TrySetResult();
            LogStartFailed(exec.Id, container.Id, e.Message);
            throw e as DaemonException ?? DaemonException.System(e.Message, e);
        }
        lock (exec.Lock)
        {
            exec.Process = process;
            exec.Pid = process.Pid;
        }
        exec.Started.TrySetResult();
        Task completion = RecordExitAsync(exec, process, container);
        return new ExecRun(exec.Id, exec.Tty, exec.OpenStdin, exec.OpenStdout, exec.OpenStderr, exec.DetachKeys, process.Streams, completion);
    }

    /// <summary>The exit code first (inspect shows it), then exec_die, as dockerd's exit event handler.</summary>
    private async Task RecordExitAsync(ExecRecord exec, IExecProcess process, ContainerRecord startedIn)
    {
        int code;
        try
        {
            code = await process.Exited.ConfigureAwait(false);
        }
        catch (Exception e) when (e is DaemonException or IOException or OperationCanceledException)
        {
            LogExitUnknown(exec.Id, exec.ContainerId, e.Message);
            code = UnknownExitCode;
        }
        lock (exec.Lock)
        {
            exec.ExitCode = code;
            exec.Running = false;
        }
        Publish(TryGetContainer(exec.ContainerId) ?? startedIn, "exec_die", exec.Id, code);
    }
}
