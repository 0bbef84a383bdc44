using Berth.Runtime.Security;
using Berth.Runtime.Spec;

namespace Berth.Runtime.Exec;

/// <summary>Everything that shapes an exec process besides the container's own process object.</summary>
public sealed record ExecProcessInput
{
    public required IReadOnlyList<string> Args { get; init; }
    /// <summary>The exec's Env, put over the container's.</summary>
    public IReadOnlyList<string> Env { get; init; } = [];
    /// <summary>The container's Config.Env (already merged with the image's at create).</summary>
    public IReadOnlyList<string> ContainerEnv { get; init; } = [];
    public string Hostname { get; init; } = "";
    public bool Tty { get; init; }
    /// <summary>"" keeps the container process's uid/gid/groups.</summary>
    public string User { get; init; } = "";
    public string WorkingDir { get; init; } = "";
    public bool Privileged { get; init; }
    public (uint Height, uint Width)? ConsoleSize { get; init; }
    public string? PasswdText { get; init; }
    public string? GroupText { get; init; }
    /// <summary>HostConfig.GroupAdd gids, added to a resolved user's groups as for the container.</summary>
    public IReadOnlyList<uint> GroupAdd { get; init; } = [];
    /// <summary>What "privileged" grants: the daemon's bounding set (null: every known capability).</summary>
    public IReadOnlyList<string>? CapabilityBoundingSet { get; init; }
}

/// <summary>
/// The OCI process of an exec, as dockerd builds it (daemon/exec.go ContainerExecStart,
/// exec_linux.go execSetPlatformOpt): a copy of the container's process — capabilities, rlimits,
/// no_new_privileges, AppArmor, OOM score — with the exec's args, environment, working dir and
/// terminal; a user resolved from the container's /etc/passwd and /etc/group when one is set;
/// and for --privileged every capability the daemon holds. Pure.
/// </summary>
public static class ExecProcessBuilder
{
    /// <exception cref="Berth.Engine.Errors.DaemonException">Unknown user or group (InvalidParameter, dockerd's texts).</exception>
    public static OciProcess Build(OciProcess container, ExecProcessInput input)
    {
        var env = ConfigMerge.ProcessEnv(input.ContainerEnv, input.Hostname, input.Tty, home: null);
        // No HOME here (dockerd sets none): runc takes it from the exec user's passwd entry.
        ConfigMerge.ReplaceOrAppend(env, input.Env);
        var process = new OciProcess
        {
            Terminal = input.Tty,
            ConsoleSize = input.Tty && input.ConsoleSize is (uint h, uint w) ? new OciBox { Height = h, Width = w } : null,
            User = container.User,
            Args = [.. input.Args],
            Env = env,
            Cwd = input.WorkingDir.Length > 0 ? input.WorkingDir : "/",
            Capabilities = container.Capabilities,
            Rlimits = container.Rlimits,
            NoNewPrivileges = container.NoNewPrivileges,
            ApparmorProfile = container.ApparmorProfile,
            OomScoreAdj = container.OomScoreAdj,
            SelinuxLabel = container.SelinuxLabel,
        };
        if (input.User.Length > 0)
        {
            ExecUser user = UserResolver.Resolve(input.User, input.PasswdText, input.GroupText);
            process.User = new OciUser
            {
                Uid = user.Uid,
                Gid = user.Gid,
                Umask = container.User.Umask,
                AdditionalGids = [user.Gid, .. user.SupplementaryGids, .. input.GroupAdd],
            };
        }
        if (input.Privileged)
        {
            List<string> all = [.. input.CapabilityBoundingSet ?? Capabilities.AllKnown];
            process.Capabilities = new OciCapabilities { Bounding = all, Effective = [.. all], Permitted = [.. all] };
        }
        return process;
    }
}
