using Berth.Engine.Errors;

namespace Berth.Engine.Containers;

public sealed partial class ContainerService
{
    /// <summary>
    /// GET /containers/{id}/top (moby ContainerTop): the host's ps with ps_args (default -ef),
    /// limited to the pids in the container's cgroup; retried without -q for options that
    /// cannot take it; "top".
    /// </summary>
    public async Task<TopResult> TopAsync(string reference, string? psArgs, CancellationToken cancellationToken = default)
    {
        string args = string.IsNullOrEmpty(psArgs) ? TopParser.DefaultArgs : psArgs;
        TopParser.ValidateArgs(args);
        ContainerRecord record = Find(reference).Record;
        if (!record.State.Running)
        {
            throw NotRunning(record.Id);
        }
        if (record.State.Restarting)
        {
            throw DaemonException.Conflict(Messages.ContainerRestarting(record.Id));
        }
        IReadOnlyList<int> pids = Operations.ListPids(record);
        PsOutput output = await Operations.RunPsAsync(TopParser.Arguments(args, pids, withPids: true), cancellationToken).ConfigureAwait(false);
        if (output.ExitCode != 0)
        {
            output = await Operations.RunPsAsync(TopParser.Arguments(args, pids, withPids: false), cancellationToken).ConfigureAwait(false);
            if (output.ExitCode != 0)
            {
                string first = output.Stderr.Split('\n')[0];
                throw DaemonException.System("ps: " + (first.Length > 0 ? first : $"exit status {output.ExitCode}"));
            }
        }
        TopResult result = TopParser.Parse(output.Stdout, pids.ToHashSet());
        Publish(record, "top");
        return result;
    }
}
