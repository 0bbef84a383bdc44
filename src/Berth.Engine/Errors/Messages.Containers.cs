namespace Berth.Engine.Errors;

/// <summary>Client-visible container texts in dockerd's wording (moby daemon/*.go, errdefs).</summary>
public static partial class Messages
{
    public static string ContainerNotRunning(string id) => $"Container {id} is not running";

    public static string ContainerPaused(string id) => $"Container {id} is paused, unpause the container before stopping or killing";

    public static string RemoveRunningContainer(string id) =>
        $"You cannot remove a running container {id}. Stop the container before attempting removal or force remove";

    public static string RemovalInProgress(string id) => $"removal of container {id} is already in progress";

    public const string CreateConfigEmpty = "config cannot be empty in order to create a container";

    public static string InvalidSignal(string signal) => $"Invalid signal: {signal}";



    public static string InvalidWaitCondition(string condition) => $"invalid condition: \"{condition}\"";

    public static string InvalidFilterEntry(string key, string value) => $"invalid filter '{key}={value}'";

    public static string CannotStartRemoving(string id) => $"container {id} is marked for removal and cannot be started";


    public static string CannotStartPaused => "cannot start a paused container, try unpause instead";

    public static string InvalidRestartPolicyAutoRemove => "can't create 'AutoRemove' container with restart policy";

    public static string ContainerHostnameInvalid(string hostname) => $"invalid hostname format: {hostname}";
}
