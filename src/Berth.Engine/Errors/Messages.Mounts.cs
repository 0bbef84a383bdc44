namespace Berth.Engine.Errors;

/// <summary>Mount and docker cp texts in dockerd's wording (moby volume/mounts, daemon/archive*.go).</summary>
public static partial class Messages
{
    public static string InvalidVolumeSpec(string spec) => $"invalid volume specification: '{spec}'";

    public static string InvalidMountMode(string mode) => $"invalid mode: {mode}";

    public static string InvalidMountConfig(string type, string error) => $"invalid mount config for type {GoQuote(type)}: {error}";

    public static string MountFieldMissing(string field) => $"field {field} must not be empty";

    public static string MountFieldExtra(string field) => $"field {field} must not be specified";

    public const string MountTargetIsRoot = "invalid specification: destination can't be '/'";

    public static string MountPathNotAbsolute(string path) => $"invalid mount path: '{path}' mount path must be absolute";

    public static string InvalidPropagation(string mode) => $"invalid propagation mode: {mode}";

    public static string BindSourceMissing(string path) => $"bind source path does not exist: {path}";

    public const string AnonymousVolumeSubpath = "must not set Subpath when using anonymous volumes";

    public const string VolumeSubpathUnsupported = "volume subpath is not supported by this daemon";

    public const string AnonymousVolumeReadOnly = "must not set ReadOnly mode when using anonymous volumes";

    public const string MountTypeUnknown = "mount type unknown";

    public const string VolumesFromEmpty = "volumes-from specification cannot be an empty string";

    public static string DuplicateMountPoint(string destination) => $"Duplicate mount point: {destination}";

    public static string MountOverFile(string path) => $"cannot mount volume over existing file, file exists {path}";

    public static string ContainerFileNotFound(string path, string container) => $"Could not find the file {path} in container {container}";

    public const string ExtractionPointNotDirectory = "extraction point is not a directory";

    public const string RootfsReadOnly = "container rootfs is marked read-only";

    public const string VolumeReadOnly = "mounted volume is marked read-only";

    public static string CannotOverwriteDirectory(string path, string with) => $"cannot overwrite directory \"{path}\" with non-directory \"{with}\"";

    public static string CannotOverwriteNonDirectory(string path, string with) => $"cannot overwrite non-directory \"{path}\" with directory \"{with}\"";

    public static string CommitPaused(string id) => $"Cannot commit container {id}: container is paused";
}
