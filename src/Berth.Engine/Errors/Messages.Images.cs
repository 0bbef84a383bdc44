namespace Berth.Engine.Errors;

/// <summary>Texts of the image endpoints, in dockerd's wording (moby daemon/images, api/server/router/image).</summary>
public static partial class Messages
{
    /// <summary>ErrImageDoesNotExist: the reference as given, familiar, with ":latest" added to bare names.</summary>
    public static string NoSuchImage(string reference) => $"No such image: {reference}";

    /// <summary>dockerfile.BuildFromConfig for a Dockerfile instruction import does not accept.</summary>
    public static string InvalidChangeCommand(string name) => $"{name} is not a valid change command";

    /// <summary>imageDeleteConflict.Error(); <paramref name="shortId"/> is the 12-hex truncated id.</summary>
    public static string ImageDeleteConflict(string shortId, bool hard, string reason) =>
        $"conflict: unable to delete {shortId} ({(hard ? "cannot be forced" : "must be forced")}) - {reason}";

    public const string ImageReferencedInMultipleRepositories = "image is referenced in multiple repositories";

    public static string ImageUsedByContainer(bool running, string shortContainerId) =>
        $"image is being used by {(running ? "running" : "stopped")} container {shortContainerId}";

    /// <summary>ImageDelete by reference when a container uses the image and this is its last reference.</summary>
    public static string ImageRemoveReferenceConflict(string reference, string shortContainerId, string shortImageId) =>
        $"conflict: unable to remove repository reference \"{reference}\" (must force) - container {shortContainerId} is using its referenced image {shortImageId}";

    public const string PruneRunning = "a prune operation is already running";

    public const string MoreThanOneUntil = "more than one until filter specified";




    public const string OperatingSystemNotSupported = "operating system is not supported";

    public const string TooManyHistoryLayers = "too many non-empty layers in History section";

    public const string PullNotImplemented =
        "Berth cannot pull images yet; load them with docker import (or docker load once it is supported)";

    public const string ImportFromUrlNotImplemented = "Berth can import only from the request body (fromSrc=-)";

    public static string UnknownDiskUsageType(string type) => $"unknown object type: {type}";
}
