using System.Diagnostics.CodeAnalysis;
using Berth.Engine.Errors;

namespace Berth.Engine.Images.References;

/// <summary>
/// A named image reference, "domain/path[:tag][@digest]", parsed and normalised exactly as
/// distribution/reference (v0.6.0, vendored by moby) does: <see cref="ParseNormalizedNamed"/>
/// turns the familiar "busybox" into "docker.io/library/busybox", <see cref="FamiliarName"/>
/// turns it back. Immutable; equality is ordinal on domain, path, tag and digest.
/// </summary>
public sealed class ImageReference : IEquatable<ImageReference>
{
    /// <summary>The domain familiar names normalise to.</summary>
    public const string DefaultDomain = "docker.io";

    /// <summary>The Docker Hub v1 name, canonicalised to <see cref="DefaultDomain"/>.</summary>
    public const string LegacyDefaultDomain = "index.docker.io";

    /// <summary>Namespace of official images; added only to single-component Docker Hub paths.</summary>
    public const string OfficialRepoPrefix = "library/";

    /// <summary>The tag TagNameOnly adds.</summary>
    public const string DefaultTag = "latest";

    /// <summary>RepositoryNameTotalLengthMax: applies to <see cref="Path"/>, not to the domain.</summary>
    public const int RepositoryNameTotalLengthMax = 255;

    /// <summary>The reserved domain that needs neither a dot nor a port.</summary>
    private const string Localhost = "localhost";

    private ImageReference(string domain, string path, string? tag, Digest? digest)
    {
        Domain = domain;
        Path = path;
        Tag = tag;
        Digest = digest;
        Name = domain.Length == 0 ? path : domain + "/" + path;
    }

    /// <summary>
    /// "docker.io", "localhost:5000", "[::1]:5000", "Foo". Empty only in the grammar's corner where
    /// the first component looked like a domain to splitDockerDomain but is not one ("foo_bar.com/x"),
    /// which makes the whole name the path, as in Go.
    /// </summary>
    public string Domain { get; }

    /// <summary>The remote name, e.g. "library/busybox".</summary>
    public string Path { get; }

    /// <summary>Domain + "/" + Path (just Path when Domain is empty).</summary>
    public string Name { get; }

    public string? Tag { get; }

    public Digest? Digest { get; }

    /// <summary>Neither tag nor digest.</summary>
    public bool IsNameOnly => Tag is null && Digest is null;

    /// <summary>The name without "docker.io/", and without "library/" for single-component paths there.</summary>
    public string FamiliarName
    {
        get
        {
            if (!string.Equals(Domain, DefaultDomain, StringComparison.Ordinal))
            {
                return Name;
            }
            if (Path.StartsWith(OfficialRepoPrefix, StringComparison.Ordinal) &&
                !Path.AsSpan(OfficialRepoPrefix.Length).Contains('/'))
            {
                return Path[OfficialRepoPrefix.Length..];
            }
            return Path;
        }
    }

    /// <summary><see cref="FamiliarName"/> with ":tag" and/or "@digest", as the docker CLI shows references.</summary>
    public string FamiliarString => Format(FamiliarName);

    /// <summary>The full normalised form, e.g. "docker.io/library/busybox:latest".</summary>
    public override string ToString() => Format(Name);

    private string Format(string name)
    {
        var text = name;
        if (Tag is not null)
        {
            text += ":" + Tag;
        }
        if (Digest is { } digest)
        {
            text += "@" + digest;
        }
        return text;
    }

    /// <summary>The same name with <paramref name="tag"/>; a digest is kept (reference.WithTag).</summary>
    public ImageReference WithTag(string tag) =>
        ReferenceGrammar.IsTag(tag)
            ? new ImageReference(Domain, Path, tag, Digest)
            : throw DaemonException.InvalidParameter(Messages.InvalidTagFormat);

    /// <summary>The same name with <paramref name="digest"/>; a tag is kept (reference.WithDigest).</summary>
    public ImageReference WithDigest(Digest digest) => new(Domain, Path, Tag, digest);

    /// <summary>Name only, without tag or digest (reference.TrimNamed).</summary>
    public ImageReference TrimNamed() => IsNameOnly ? this : new ImageReference(Domain, Path, null, null);

    /// <summary>TagNameOnly: adds "latest" only when there is neither a tag nor a digest.</summary>
    public ImageReference WithDefaultTag() => IsNameOnly ? new ImageReference(Domain, Path, DefaultTag, null) : this;

    /// <summary>Whether <paramref name="tag"/> is a valid tag: <c>[\w][\w.-]{0,127}</c>.</summary>
    public static bool IsValidTag(string? tag) => tag is not null && ReferenceGrammar.IsTag(tag);

    /// <summary>
    /// reference.ParseNormalizedNamed: a familiar or full name, optionally with tag and/or digest.
    /// Throws <see cref="DaemonException"/> (InvalidParameter) with dockerd's text.
    /// </summary>
    public static ImageReference ParseNormalizedNamed(string text) =>
        TryParseNormalizedNamed(text, out var reference, out var error)
            ? reference
            : throw DaemonException.InvalidParameter(error);

    /// <summary><see cref="ParseNormalizedNamed"/> returning dockerd's error text instead of throwing.</summary>
    public static bool TryParseNormalizedNamed(
        string? text,
        [NotNullWhen(true)] out ImageReference? reference,
        [NotNullWhen(false)] out string? error)
    {
        reference = null;
        text ??= "";
        if (ReferenceGrammar.IsIdentifier(text))
        {
            error = Messages.RepositoryNameIsHexIdentifier(text);
            return false;
        }
        var (domain, remainder) = SplitDockerDomain(text);
        int tagSeparator = remainder.IndexOf(':', StringComparison.Ordinal);
        var remote = tagSeparator < 0 ? remainder : remainder[..tagSeparator];
        if (!string.Equals(remote.ToLowerInvariant(), remote, StringComparison.Ordinal))
        {
            error = Messages.ReferenceNameMustBeLowercase(remote);
            return false;
        }
        return TryParse(domain + "/" + remainder, out reference, out error);
    }

    /// <summary>
    /// reference.ParseDockerRef, the form dockerd stores: normalised, "latest" added to a bare name,
    /// and the tag dropped when a digest is present ("busybox:1@sha256:…" → "docker.io/library/busybox@sha256:…").
    /// </summary>
    public static ImageReference ParseDockerRef(string text) =>
        TryParseDockerRef(text, out var reference, out var error)
            ? reference
            : throw DaemonException.InvalidParameter(error);

    /// <summary><see cref="ParseDockerRef"/> returning dockerd's error text instead of throwing.</summary>
    public static bool TryParseDockerRef(
        string? text,
        [NotNullWhen(true)] out ImageReference? reference,
        [NotNullWhen(false)] out string? error)
    {
        if (!TryParseNormalizedNamed(text, out reference, out error))
        {
            return false;
        }
        reference = reference.Digest is { } digest && reference.Tag is not null
            ? new ImageReference(reference.Domain, reference.Path, null, digest)
            : reference.WithDefaultTag();
        return true;
    }

    /// <summary>splitDockerDomain (normalize.go).</summary>
    private static (string Domain, string Remainder) SplitDockerDomain(string name)
    {
        int slash = name.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0)
        {
            // Single element ("ubuntu", "ubuntu:latest", even "localhost:5000"): always Docker Hub.
            return (DefaultDomain, OfficialRepoPrefix + name);
        }
        var maybeDomain = name[..slash];
        var maybeRemote = name[(slash + 1)..];
        string domain, remote;
        if (maybeDomain == Localhost)
        {
            (domain, remote) = (maybeDomain, maybeRemote);
        }
        else if (maybeDomain == LegacyDefaultDomain)
        {
            (domain, remote) = (DefaultDomain, maybeRemote);
        }
        else if (maybeDomain.AsSpan().IndexOfAny('.', ':') >= 0 ||
                 !string.Equals(maybeDomain.ToLowerInvariant(), maybeDomain, StringComparison.Ordinal))
        {
            // A dot or a colon (host name, IP address, port), or uppercase (not allowed in a
            // namespace, so it must be a domain).
            (domain, remote) = (maybeDomain, maybeRemote);
        }
        else
        {
            (domain, remote) = (DefaultDomain, name);
        }
        if (domain == DefaultDomain && !remote.Contains('/', StringComparison.Ordinal))
        {
            remote = OfficialRepoPrefix + remote;
        }
        return (domain, remote);
    }

    /// <summary>
    /// reference.Parse restricted to named references (ParseNormalizedNamed always passes a domain
    /// prefix). Without normalisation: "busybox" has an empty domain here. Internal for the grammar tests.
    /// </summary>
    internal static bool TryParse(string text, [NotNullWhen(true)] out ImageReference? reference, [NotNullWhen(false)] out string? error)
    {
        reference = null;
        if (text.Length == 0)
        {
            error = Messages.RepositoryNameEmpty;
            return false;
        }
        if (!TryMatch(text, out var parts))
        {
            var lower = text.ToLowerInvariant();
            error = !string.Equals(lower, text, StringComparison.Ordinal) && TryMatch(lower, out _)
                ? Messages.RepositoryNameContainsUppercase
                : Messages.InvalidReferenceFormat;
            return false;
        }
        var path = text.Substring(parts.PathStart, parts.PathLength);
        if (path.Length > RepositoryNameTotalLengthMax)
        {
            error = Messages.RepositoryNameTooLong;
            return false;
        }
        Digest? digest = null;
        if (parts.DigestStart >= 0)
        {
            if (!TryParseDigest(text.AsSpan(parts.DigestStart), out var parsed, out error))
            {
                return false;
            }
            digest = parsed;
        }
        var domain = parts.DomainLength > 0 ? text[..parts.DomainLength] : "";
        var tag = parts.TagStart >= 0 ? text.Substring(parts.TagStart, parts.TagLength) : null;
        reference = new ImageReference(domain, path, tag, digest);
        error = null;
        return true;
    }

    private record struct Parts(int DomainLength, int PathStart, int PathLength, int TagStart, int TagLength, int DigestStart);

    /// <summary>
    /// The anchored referenceRegexp: <c>^((domainAndPort/)?remoteName)(:tag)?(@digest)?$</c>, with the
    /// same capture choice as Go's leftmost-first matcher (a valid domain is always taken).
    /// </summary>
    private static bool TryMatch(string text, out Parts parts)
    {
        parts = default;
        var s = text.AsSpan();
        int digestStart = -1;
        int at = s.IndexOf('@');
        if (at >= 0)
        {
            if (!ReferenceGrammar.IsDigestPattern(s[(at + 1)..]))
            {
                return false;
            }
            digestStart = at + 1;
            s = s[..at];
        }
        int slash = s.IndexOf('/');
        int domainLength = 0;
        if (slash > 0 && ReferenceGrammar.IsDomainAndPort(s[..slash]) && IsRemoteNameAndTag(s[(slash + 1)..]))
        {
            domainLength = slash;
        }
        else if (!IsRemoteNameAndTag(s))
        {
            return false;
        }
        int pathStart = domainLength == 0 ? 0 : domainLength + 1;
        int colon = s[pathStart..].IndexOf(':');
        int pathLength = colon < 0 ? s.Length - pathStart : colon;
        int tagStart = colon < 0 ? -1 : pathStart + colon + 1;
        int tagLength = colon < 0 ? 0 : s.Length - tagStart;
        parts = new Parts(domainLength, pathStart, pathLength, tagStart, tagLength, digestStart);
        return true;
    }

    private static bool IsRemoteNameAndTag(ReadOnlySpan<char> s)
    {
        int colon = s.IndexOf(':');
        return colon < 0
            ? ReferenceGrammar.IsRemoteName(s)
            : ReferenceGrammar.IsRemoteName(s[..colon]) && ReferenceGrammar.IsTag(s[(colon + 1)..]);
    }

    /// <summary>
    /// go-digest v1.0.0 Digest.Validate with the algorithms dockerd registers (sha256, sha384, sha512).
    /// Berth's <see cref="Images.Digest"/> holds sha256 only, so a well-formed sha384/sha512 digest,
    /// which dockerd would accept, is refused with go-digest's "unsupported digest algorithm".
    /// </summary>
    internal static bool TryParseDigest(ReadOnlySpan<char> text, out Digest digest, [NotNullWhen(false)] out string? error)
    {
        digest = default;
        int colon = text.IndexOf(':');
        if (colon <= 0 || colon + 1 == text.Length)
        {
            error = Messages.ChecksumDigestInvalidFormat;
            return false;
        }
        var algorithm = text[..colon];
        var encoded = text[(colon + 1)..];
        int expectedLength = algorithm switch
        {
            "sha256" => 64,
            "sha384" => 96,
            "sha512" => 128,
            _ => 0,
        };
        if (expectedLength == 0)
        {
            // Unknown algorithm: "format" unless it fits go-digest's DigestRegexp
            // ([a-z0-9]+([.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]+), then "unsupported".
            error = IsGoDigestShape(algorithm, encoded) ? Messages.DigestAlgorithmUnsupported : Messages.ChecksumDigestInvalidFormat;
            return false;
        }
        if (encoded.Length != expectedLength)
        {
            error = Messages.ChecksumDigestInvalidLength;
            return false;
        }
        if (encoded.ContainsAnyExcept(LowerHex))
        {
            error = Messages.ChecksumDigestInvalidFormat;
            return false;
        }
        if (expectedLength != 64 || !Images.Digest.TryParse(text.ToString(), out digest))
        {
            error = Messages.DigestAlgorithmUnsupported;
            return false;
        }
        error = null;
        return true;
    }

    private static bool IsGoDigestShape(ReadOnlySpan<char> algorithm, ReadOnlySpan<char> encoded)
    {
        bool expectAlnum = true;
        foreach (char c in algorithm)
        {
            if (c is (>= 'a' and <= 'z') or (>= '0' and <= '9'))
            {
                expectAlnum = false;
            }
            else if (!expectAlnum && c is '.' or '+' or '_' or '-')
            {
                expectAlnum = true;
            }
            else
            {
                return false;
            }
        }
        if (expectAlnum || encoded.IsEmpty)
        {
            return false;
        }
        foreach (char c in encoded)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not ('=' or '_' or '-'))
            {
                return false;
            }
        }
        return true;
    }

    private static readonly System.Buffers.SearchValues<char> LowerHex =
        System.Buffers.SearchValues.Create("0123456789abcdef");

    public bool Equals(ImageReference? other) =>
        other is not null &&
        string.Equals(Domain, other.Domain, StringComparison.Ordinal) &&
        string.Equals(Path, other.Path, StringComparison.Ordinal) &&
        string.Equals(Tag, other.Tag, StringComparison.Ordinal) &&
        Digest == other.Digest;

    public override bool Equals(object? obj) => Equals(obj as ImageReference);

    public override int GetHashCode() => HashCode.Combine(
        StringComparer.Ordinal.GetHashCode(Domain), StringComparer.Ordinal.GetHashCode(Path),
        Tag is null ? 0 : StringComparer.Ordinal.GetHashCode(Tag), Digest);

    public static bool operator ==(ImageReference? left, ImageReference? right) =>
        left is null ? right is null : left.Equals(right);

    public static bool operator !=(ImageReference? left, ImageReference? right) => !(left == right);
}
