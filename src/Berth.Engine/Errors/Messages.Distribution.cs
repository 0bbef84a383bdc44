namespace Berth.Engine.Errors;

/// <summary>Texts of pull, push, login and registry errors, in dockerd's wording (moby distribution, registry).</summary>
public static partial class Messages
{
    public static string ReservedName(string name) => $"'{name}' is a reserved name";

    public static string PullAccessDenied(string familiarName, string cause) =>
        $"pull access denied for {familiarName}, repository does not exist or may require 'docker login': {cause}";

    public static string ManifestNotFound(string familiarString, string cause) => $"manifest for {familiarString} not found: {cause}";

    public static string RepositoryNotFound(string familiarName, string cause) => $"repository {familiarName} not found: {cause}";

    public static string DeprecatedSchema1(string reference) =>
        "Docker Image Format v1 and Docker Image manifest version 2, schema 1 support has been removed. Suggest the author of "
        + reference + " to upgrade the image to the OCI Format or Docker Image manifest v2, schema 2. More information at https://docs.docker.com/go/deprecated-image-specs/";

    public const string UnsupportedManifestFormat = "unsupported manifest format";

    public static string UnsupportedMediaType(string mediaType) => "unsupported media type " + mediaType;

    public static string ManifestVerificationFailed(Images.Digest digest) => $"manifest verification failed for digest {digest}";

    public static string ConfigVerificationFailed(Images.Digest digest) => $"image config verification failed for digest {digest}";

    public static string LayerVerificationFailed(Images.Digest digest) => $"filesystem layer verification failed for digest {digest}";

    public const string RootFsMismatch = "layers from manifest don't match image configuration";

    public const string RootFsInvalid = "invalid rootfs in image configuration";

    public static string NoMatchingManifest(string platform) => $"no matching manifest for {platform} in the manifest list entries";

    public static string NoEndpoints(string name) => $"no endpoints found for {name}";

    public static string PushRefersTo(string name) => $"The push refers to repository [{name}]";

    public static string NoLocalImageWithTag(string familiarName) => $"An image does not exist locally with the tag: {familiarName}";

    public static string TagDoesNotExist(string familiarString) => $"tag does not exist: {familiarString}";

    public const string CannotPushDigest = "cannot push a digest reference";

    public static string NoTagsToPush(string familiarName) => $"no tags to push for {familiarName}";

    public static string LoginFailedStatus(string endpoint, int status, string reason) =>
        $"login attempt to {endpoint} failed with status: {status} {reason}";

    public const string LoginSucceeded = "Login Succeeded";

    public static string InvalidPlatform(string platform) => $"\"{platform}\": invalid platform specifier";

    public static string SearchUnavailable(string index, string cause) =>
        $"Error searching {index}: no reachable registry index answers the v1 search API ({cause})";
}
