namespace Berth.Engine.Errors;

/// <summary>Texts of the OCI runtime driver and the per-container monitor.</summary>
public static partial class Messages
{
    /// <summary>A runtime CLI call failed; <paramref name="detail"/> is the runtime's own error text.</summary>
    public static string RuntimeCommandFailed(string runtime, string command, string detail) =>
        $"{runtime} {command} failed: {detail}";

    /// <summary>dockerd's wording (via containerd) for a failed create, e.g. an executable that does not exist.</summary>
    public static string RuntimeCreateFailed(string detail) =>
        $"failed to create task for container: failed to create shim task: OCI runtime create failed: {detail}: unknown";

    public static string MonitorStartFailed(string detail) => $"container monitor (conmon) failed to start: {detail}";

    public static string MonitorGone(string id) => $"container monitor for {id} exited without reporting a result";

    public static string ExecFailed(string detail) => $"OCI runtime exec failed: {detail}: unknown";

    public static string RuntimeTimedOut(string runtime, string command) => $"{runtime} {command} timed out";

    /// <summary>dockerd's getRuntime: a name that is neither runc nor configured (create 400, start of a container whose runtime left the config).</summary>
    public static string UnknownRuntime(string name) => $"unknown or invalid runtime name: {name}";

    /// <summary>A configured runtime whose binary is nowhere on PATH (dockerd's LookPath wording).</summary>
    public static string RuntimeNotFound(string path) =>
        $"error while looking up the specified runtime path: exec: \"{path}\": executable file not found in $PATH";
}
