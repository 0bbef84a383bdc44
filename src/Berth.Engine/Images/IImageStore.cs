namespace Berth.Engine.Images;

/// <summary>An image row: the config digest plus what is cached about it.</summary>
/// <param name="Size">Sum of the unpacked sizes of the image's layers (dockerd's image Size).</param>
/// <param name="LastTagTime">When a tag was last added here (inspect Metadata.LastTagTime).</param>
public sealed record ImageRecord(Digest Id, Digest? TopChainId, long Size, DateTimeOffset? Created, DateTimeOffset Added, DateTimeOffset? LastTagTime);

/// <summary>A repository reference: a tag ("docker.io/library/busybox:latest") or a digest ("…@sha256:…").</summary>
public sealed record ReferenceRecord(string Reference, Digest ImageId, bool IsDigest);

/// <summary>
/// Persistent image metadata. Every method is one transaction; callers serialise compound
/// operations themselves. An image row is added only after its config blob and layers exist, so a
/// crash leaves at worst unreferenced blobs and layers, which garbage collection removes.
/// </summary>
public interface IImageStore
{
    IReadOnlyList<ImageRecord> ListImages();

    IReadOnlyList<ReferenceRecord> ListReferences();

    /// <summary>Adds the image (kept when it exists) and points <paramref name="references"/> at it, atomically.</summary>
    void AddImage(ImageRecord image, IReadOnlyList<ReferenceRecord> references);

    /// <summary>Points a reference at an image (replacing its old target) and stamps the image's LastTagTime.</summary>
    void SetReference(ReferenceRecord reference, DateTimeOffset tagTime);

    /// <summary>Removes references; unknown ones are ignored.</summary>
    void RemoveReferences(IReadOnlyList<string> references);

    /// <summary>Removes an image and every reference to it.</summary>
    void RemoveImage(Digest id);
}
