using System.Diagnostics.CodeAnalysis;
using Berth.Engine.Errors;

namespace Berth.Engine.Images.References;

/// <summary>
/// The reference checks of <c>POST /images/{name}/tag?repo=&amp;tag=</c> (moby
/// daemon/server/router/image postImagesTag, httputils.RepoTagReference) and of the reference
/// store's AddTag. Pure: the image lookup and the tagging itself belong to the image service.
/// </summary>
public static class ImageTagRules
{
    /// <summary>
    /// Validates the repo/tag query of the tag endpoint and returns the reference to create, always
    /// with a tag and never with a digest. Order and texts as dockerd:
    /// ParseNormalizedNamed(repo) errors; a digest in repo → "cannot import digest reference";
    /// a non-empty <paramref name="tag"/> replaces any tag in repo and must match
    /// <c>[\w][\w.-]{0,127}</c> ("invalid tag format"); no tag at all → "latest"; a familiar name of
    /// "sha256" → "refusing to create an ambiguous tag using digest algorithm as name".
    /// A 64-hex repo is refused by ParseNormalizedNamed; a 64-hex tag is allowed, as in dockerd.
    /// <para>
    /// An empty or missing <paramref name="repo"/> returns true with a null reference: dockerd's
    /// handler then returns errdefs.InvalidParameter(nil), which is nil, so it answers 200 with
    /// nothing tagged. The caller should do the same (and not look the image up).
    /// </para>
    /// </summary>
    public static bool TryValidateTagRequest(
        string? repo,
        string? tag,
        out ImageReference? reference,
        [NotNullWhen(false)] out string? error)
    {
        reference = null;
        error = null;
        if (string.IsNullOrEmpty(repo))
        {
            return true;
        }
        if (!ImageReference.TryParseNormalizedNamed(repo, out var parsed, out error))
        {
            return false;
        }
        if (parsed.Digest is not null)
        {
            error = Messages.ImportDigestReference;
            return false;
        }
        if (!string.IsNullOrEmpty(tag))
        {
            if (!ImageReference.IsValidTag(tag))
            {
                error = Messages.InvalidTagFormat;
                return false;
            }
            parsed = parsed.WithTag(tag);
        }
        else
        {
            parsed = parsed.WithDefaultTag();
        }
        if (IsDigestAlgorithmName(parsed))
        {
            error = Messages.AmbiguousTagDigestAlgorithm;
            return false;
        }
        reference = parsed;
        return true;
    }

    /// <summary>
    /// <see cref="TryValidateTagRequest"/> throwing <see cref="DaemonException"/> (InvalidParameter);
    /// null means "nothing to do" (empty repo).
    /// </summary>
    public static ImageReference? ValidateTagRequest(string? repo, string? tag) =>
        TryValidateTagRequest(repo, tag, out var reference, out var error)
            ? reference
            : throw DaemonException.InvalidParameter(error);

    /// <summary>
    /// The reference store's AddTag checks, for callers that build the reference themselves (commit,
    /// import, build -t): a digest → "refusing to create a tag with a digest reference"; a familiar
    /// name of "sha256" → the ambiguous-name error. Returns the reference with "latest" added to a
    /// bare name.
    /// </summary>
    public static ImageReference EnsureTaggable(ImageReference reference)
    {
        if (reference.Digest is not null)
        {
            throw DaemonException.InvalidParameter(Messages.TagWithDigestReference);
        }
        if (IsDigestAlgorithmName(reference))
        {
            throw DaemonException.InvalidParameter(Messages.AmbiguousTagDigestAlgorithm);
        }
        return reference.WithDefaultTag();
    }

    /// <summary>FamiliarName == digest.Canonical ("sha256"): "sha256:abc…" would read as a digest.</summary>
    private static bool IsDigestAlgorithmName(ImageReference reference) =>
        string.Equals(reference.FamiliarName, "sha256", StringComparison.Ordinal);
}
