using System.Diagnostics.CodeAnalysis;
using Berth.Engine.Errors;

namespace Berth.Engine.Images.References;

/// <summary>
/// What a client's "name or id" (<c>docker inspect X</c>, <c>/images/{name}/…</c>) may denote,
/// classified as moby's GetImage / resolveImage do with reference.ParseAnyReference. The image
/// service looks up in this order:
/// <list type="number">
/// <item><see cref="Id"/> set (a bare 64-hex or "sha256:&lt;64 hex&gt;"): that image id / target digest only.</item>
/// <item><see cref="Reference"/> set: with a digest, images with that digest whose name is the same
/// repository; otherwise the tag <c>Reference.WithDefaultTag()</c>.</item>
/// <item>then, if <see cref="IdPrefix"/> is set, images whose id starts with it (more than one distinct
/// image → <see cref="Messages.AmbiguousImageReference"/>, NotFound).</item>
/// </list>
/// Nothing found → <c>Messages.NoSuchObject("image", NotFoundName)</c>.
/// </summary>
public sealed class ImageLookup
{
    private ImageLookup(string input, Digest? id, ImageReference? reference, string? idPrefix, string notFoundName)
    {
        Input = input;
        Id = id;
        Reference = reference;
        IdPrefix = idPrefix;
        NotFoundName = notFoundName;
    }

    public string Input { get; }

    /// <summary>A full image id or digest (ParseAnyReference's digestReference).</summary>
    public Digest? Id { get; }

    /// <summary>A named reference (ParseNormalizedNamed of the input).</summary>
    public ImageReference? Reference { get; }

    /// <summary>The hex (without "sha256:") when the input also looks like a truncated id.</summary>
    public string? IdPrefix { get; }

    /// <summary>
    /// A well-formed sha384/sha512 digest: dockerd parses it as a digest and finds nothing with it;
    /// Berth cannot even represent it.
    /// </summary>
    public bool MatchesNothing => Id is null && Reference is null;

    /// <summary>
    /// What ErrImageDoesNotExist prints after "No such image: ": the familiar string, with "latest"
    /// added to a bare name ("busybox:latest"), or the digest for an id.
    /// </summary>
    public string NotFoundName { get; }

    /// <summary>Classifies <paramref name="refOrId"/>; InvalidParameter with dockerd's text when it is neither.</summary>
    public static ImageLookup Parse(string refOrId) =>
        TryParse(refOrId, out var lookup, out var error) ? lookup : throw DaemonException.InvalidParameter(error);

    /// <summary>reference.ParseAnyReference, plus the truncated-id check of daemon/containerd checkTruncatedID.</summary>
    public static bool TryParse(
        string? refOrId,
        [NotNullWhen(true)] out ImageLookup? lookup,
        [NotNullWhen(false)] out string? error)
    {
        lookup = null;
        refOrId ??= "";
        if (ReferenceGrammar.IsIdentifier(refOrId))
        {
            var id = Digest.Parse("sha256:" + refOrId);
            lookup = new ImageLookup(refOrId, id, null, null, id.ToString());
            error = null;
            return true;
        }
        if (IsFullDigest(refOrId, out var digest, out bool representable))
        {
            lookup = new ImageLookup(refOrId, representable ? digest : null, null, null, refOrId);
            error = null;
            return true;
        }
        if (!ImageReference.TryParseNormalizedNamed(refOrId, out var reference, out error))
        {
            return false;
        }
        var prefix = LooksLikeIdPrefix(refOrId) ? TrimAlgorithm(refOrId) : null;
        lookup = new ImageLookup(refOrId, null, reference, prefix, reference.WithDefaultTag().FamiliarString);
        return true;
    }

    /// <summary>
    /// moby daemon/containerd checkTruncatedID: <c>^(sha256:)?[a-f0-9]{4,64}$</c>. Such input is
    /// also a valid name ("abcd" is docker.io/library/abcd), so it is tried as a reference first.
    /// </summary>
    public static bool LooksLikeIdPrefix(string? text)
    {
        if (text is null)
        {
            return false;
        }
        var hex = TrimAlgorithm(text).AsSpan();
        if (hex.Length is < 4 or > 64)
        {
            return false;
        }
        foreach (char c in hex)
        {
            if (c is not ((>= '0' and <= '9') or (>= 'a' and <= 'f')))
            {
                return false;
            }
        }
        return true;
    }

    private static string TrimAlgorithm(string text) =>
        text.StartsWith("sha256:", StringComparison.Ordinal) ? text[7..] : text;

    /// <summary>go-digest Parse succeeding, with dockerd's algorithms (sha256, sha384, sha512).</summary>
    private static bool IsFullDigest(string text, out Digest digest, out bool representable)
    {
        representable = false;
        if (ImageReference.TryParseDigest(text, out digest, out var error))
        {
            representable = true;
            return true;
        }
        // A well-formed sha384/sha512 digest fails only for want of representation.
        return error == Messages.DigestAlgorithmUnsupported &&
               (text.StartsWith("sha384:", StringComparison.Ordinal) || text.StartsWith("sha512:", StringComparison.Ordinal));
    }
}
