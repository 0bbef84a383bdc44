namespace Berth.Engine.Errors;

/// <summary>
/// Volume texts in dockerd's wording: moby volume/service (OpErr "op name: err - [refs]",
/// errors.go) and daemon/volume/local (name and option validation).
/// </summary>
public static partial class Messages
{
    /// <summary>names.RestrictedNameChars, quoted with %q in the error.</summary>
    public const string VolumeNameChars = "[a-zA-Z0-9][a-zA-Z0-9_.-]";

    /// <summary>OpErr.Error(): "op name: err" plus " - [a, b]" when references are listed.</summary>
    public static string VolumeOp(string op, string name, string error, IReadOnlyCollection<string>? refs = null) =>
        (name.Length == 0 ? op : $"{op} {name}") + ": " + error +
        (refs is { Count: > 0 } ? " - [" + string.Join(", ", refs) + "]" : "");

    public const string NoSuchVolume = "no such volume";

    public const string VolumeInUse = "volume is in use";

    public const string VolumeHasActiveMounts = "volume has active mounts";

    public const string VolumeNameTooShort = "volume name is too short, names should be at least two alphanumeric characters";

    public static string VolumeNameInvalid(string name) =>
        $"{GoQuote(name)} includes invalid characters for a local volume name, only {GoQuote(VolumeNameChars)} are allowed. " +
        "If you intended to pass a host directory, use absolute path";

    public static string VolumeInvalidOption(string option) => $"invalid option: {GoQuote(option)}";

    public static string VolumeMissingOption(string option) => $"missing required option: {GoQuote(option)}";

    /// <summary>go-units RAMInBytes.</summary>
    public static string InvalidSize(string text) => $"invalid size: '{text}'";

    /// <summary>dockerd's text when size is given without quota support; Berth supports size for tmpfs only.</summary>
    public const string VolumeQuotaUnsupported = "quota size requested but no quota support";

    public static string VolumeUnknownFsType(string fsType) =>
        $"invalid option: unknown filesystem type {GoQuote(fsType)} (not in /proc/filesystems and no kernel module)";

    public const string VolumeTypeNoneNeedsBind = "invalid option: type \"none\" is only valid with o=bind or o=rbind";

    public static string VolumeBindDeviceNotAbsolute(string device) =>
        $"invalid option: bind device {GoQuote(device)} must be an absolute path";

    /// <summary>The volume plugin store's lookup error for a driver that is not installed.</summary>
    public static string VolumeDriverNotFound(string driver) =>
        $"error looking up volume plugin {driver}: plugin {GoQuote(driver)} not found";

    public const string VolumePruneRunning = "a prune operation is already running";

    public static string PruneAllTooMany(IEnumerable<string> values) =>
        $"invalid filter 'all=[{string.Join(' ', values)}]': only one value is expected";

    public static string PruneAllNotBool(string value) =>
        $"invalid filter 'all': strconv.ParseBool: parsing {GoQuote(value)}: invalid syntax";

    public static string VolumeMountFailed(string detail) => $"failed to mount local volume: {detail}";

    public const string VolumeUpdateNoSwarm = "volume update only valid for cluster volumes, but swarm is unavailable";
}
