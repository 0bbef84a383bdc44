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
}
