namespace Berth.Engine.Errors;

/// <summary>
/// Image reference texts: distribution/reference (reference.go, normalize.go), go-digest v1.0.0
/// (digest.go) and moby's image router / reference store, word for word.
/// </summary>
public static partial class Messages
{
    /// <summary>reference.ErrReferenceInvalidFormat.</summary>
    public const string InvalidReferenceFormat = "invalid reference format";

    /// <summary>reference.ErrTagInvalidFormat (WithTag).</summary>
    public const string InvalidTagFormat = "invalid tag format";

    /// <summary>reference.ErrNameContainsUppercase (Parse, when only lower-casing makes the input valid).</summary>
    public const string RepositoryNameContainsUppercase = "repository name must be lowercase";

    /// <summary>reference.ErrNameEmpty.</summary>
    public const string RepositoryNameEmpty = "repository name must have at least one component";

    /// <summary>reference.ErrNameTooLong (the path, without the domain, is limited to 255 characters).</summary>
    public const string RepositoryNameTooLong = "repository name must not be more than 255 characters";

    /// <summary>ParseNormalizedNamed: the remote name (path up to the first ':') is not lowercase.</summary>
    public static string ReferenceNameMustBeLowercase(string remoteName) =>
        $"invalid reference format: repository name ({remoteName}) must be lowercase";

    /// <summary>ParseNormalizedNamed: the whole input is a 64-hex identifier.</summary>
    public static string RepositoryNameIsHexIdentifier(string text) =>
        $"invalid repository name ({text}), cannot specify 64-byte hexadecimal strings";

    /// <summary>go-digest ErrDigestInvalidFormat.</summary>
    public const string ChecksumDigestInvalidFormat = "invalid checksum digest format";

    /// <summary>go-digest ErrDigestInvalidLength.</summary>
    public const string ChecksumDigestInvalidLength = "invalid checksum digest length";

    /// <summary>go-digest ErrDigestUnsupported.</summary>
    public const string DigestAlgorithmUnsupported = "unsupported digest algorithm";

    /// <summary>moby refstore AddTag, and the docker client's ImageTag.</summary>
    public const string TagWithDigestReference = "refusing to create a tag with a digest reference";

    /// <summary>moby httputils.RepoTagReference (POST /images/{name}/tag, /commit, /images/create?fromSrc).</summary>
    public const string ImportDigestReference = "cannot import digest reference";

    /// <summary>moby postImagesTag / refstore addReference: the familiar name is "sha256".</summary>
    public const string AmbiguousTagDigestAlgorithm = "refusing to create an ambiguous tag using digest algorithm as name";

    /// <summary>moby daemon/containerd resolveImage: a short id matches more than one image.</summary>
    public const string AmbiguousImageReference = "ambiguous reference";
}
