namespace Berth.Engine.Errors;

/// <summary>Exec texts in dockerd's wording (moby daemon/exec.go, daemon/errors.go, api/server/router/container/exec.go).</summary>
public static partial class Messages
{
    public const string NoExecCommand = "No exec command specified";

    public static string NoSuchExec(string id) => $"No such exec instance: {id}";

    public static string ExecAlreadyRun(string id) => $"Error: Exec command {id} has already run";

    public static string ExecAlreadyRunning(string id) => $"Error: Exec command {id} is already running";

    /// <summary>errExecPaused: dockerd names the container as the client referred to it at create, by id at start.</summary>
    public static string ExecContainerPaused(string reference) => $"Container {reference} is paused, unpause the container before exec";

    public static string ContainerRestarting(string id) => $"Container {id} is restarting, wait until the container is running";

    public static string InvalidEscapeKeys(string keys) => $"Invalid escape keys ({keys}) provided";

    public const string ExecSessionNotReady = "timeout waiting for exec session ready";

    public const string ExecProcessNotStarted = "exec process is not started";

    /// <summary>What containerd answers (and dockerd passes on) when resizing an exec that has exited.</summary>
    public const string ExecProcessGone = "no such exec";

    /// <summary>Go's strconv.Atoi errors, which dockerd returns for bad h/w query values.</summary>
    public static string AtoiSyntax(string value) => $"strconv.Atoi: parsing \"{value}\": invalid syntax";

    public static string AtoiRange(string value) => $"strconv.Atoi: parsing \"{value}\": value out of range";
}
