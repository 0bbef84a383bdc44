namespace Berth.Engine.Errors;

/// <summary>Texts of the state store and the id/name registries.</summary>
public static partial class Messages
{
    /// <summary>Allowed container name characters, as dockerd prints them in the error.</summary>
    public const string ContainerNameChars = "[a-zA-Z0-9][a-zA-Z0-9_.-]";

    public static string SchemaTooNew(int found, int supported, string path) =>
        $"database schema version {found} is newer than this berthd supports ({supported}); " +
        $"run a newer berthd or move {path} aside";

    /// <summary>dockerd's GetContainer text for an empty reference (Go's %q of the input).</summary>
    public static string InvalidIdentifier(string reference) => $"invalid name or ID supplied: \"{reference}\"";

    public static string InvalidContainerName(string name) =>
        $"Invalid container name ({name}), only {ContainerNameChars} are allowed";

    /// <summary>dockerd's nameConflictError; <paramref name="name"/> carries the leading '/'.</summary>
    public static string ContainerNameConflict(string name, string id) =>
        $"Conflict. The container name \"{name}\" is already in use by container \"{id}\". " +
        "You have to remove (or rename) that container to be able to reuse that name.";

    public static string NameConflict(string kind, string name, string id) =>
        $"Conflict. The {kind} name \"{name}\" is already in use by {kind} \"{id}\".";

    public static string InvalidName(string kind) => $"invalid {kind} name: the name must not be empty";

    public static string InvalidObjectId(string kind, string id) =>
        $"invalid {kind} ID \"{id}\": expected 64 lowercase hexadecimal characters";

    public static string DuplicateObjectId(string kind, string id) => $"{kind} {id} is already registered";

    /// <summary>dockerd's rename error texts.</summary>
    public const string RenameEmptyName = "Neither old nor new names may be empty";

    public const string RenameSameName = "Renaming a container with the same name as its current name";

    public static string StateWriteFailed(string kind, string id, string detail) =>
        $"cannot record {kind} {id} in the state store: {detail}";
}
