namespace Berth.Engine.Errors;

/// <summary>Texts of the content store, layer extraction and the layer store.</summary>
public static partial class Messages
{
    public static string DigestMismatch(object expected, object actual) =>
        $"digest mismatch: expected {expected}, got {actual}";

    public static string ContentTooLarge(long maxSize) => $"content exceeds the maximum size of {maxSize} bytes";

    /// <summary>containerd's content store wording, which dockerd passes through.</summary>
    public static string ContentNotFound(object digest) => $"content digest {digest}: not found";

    public static string LayerNotFound(object chainId) => $"layer does not exist: {chainId}";

    public static string ReadWriteLayerNotFound(string id) => $"read-write layer {id} does not exist";

    public static string ReadWriteLayerExists(string id) => $"read-write layer {id} already exists";

    public static string InvalidReadWriteLayerId(string id) => $"invalid read-write layer id \"{id}\"";

    public static string DiffIdMismatch(object expected, object actual) =>
        $"layer diff id mismatch: expected {expected}, got {actual}";

    /// <summary>pkg/archive's breakoutError texts.</summary>
    public static string TarPathOutside(string name) => $"invalid tar entry: \"{name}\" is outside of the layer directory";

    public static string TarInvalidSymlink(string name, string target) => $"invalid symlink \"{name}\" -> \"{target}\"";

    public static string TarInvalidHardlink(string name, string target) => $"invalid hardlink \"{name}\" -> \"{target}\"";

    public static string TarInvalidWhiteout(string name) => $"invalid whiteout path \"{name}\"";

    public static string TarUnhandledType(string name, object type) => $"unhandled tar header type {type} for \"{name}\"";

    public static string TarTooManyEntries(long max) => $"layer tar has more than {max} entries";

    public static string TarFileTooLarge(string name, long size, long max) =>
        $"layer tar entry \"{name}\" is {size} bytes, more than the limit of {max}";

    public static string TarTotalTooLarge(long max) => $"layer tar content exceeds the limit of {max} bytes";

    public static string TarInvalid(string detail) => $"invalid layer tar: {detail}";

    public static string TarEntryFailed(string name, string detail) => $"failed to extract \"{name}\": {detail}";

    public static string LayerInUse(object chainId) => $"layer {chainId} is in use";
}
