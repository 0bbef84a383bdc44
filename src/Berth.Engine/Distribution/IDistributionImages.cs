using Berth.Engine.Images;
using Berth.Engine.Images.References;

namespace Berth.Engine.Distribution;

/// <summary>A local image as push needs it: the config bytes exactly as stored, and its layers.</summary>
public sealed record PushableImage(Digest Id, byte[] ConfigBytes, ImageConfig Config, IReadOnlyList<Digest> DiffIds, IReadOnlyList<Digest> ChainIds);

/// <summary>
/// What pull and push need from the local image store (ImageService implements it): lookups,
/// recording a pulled image with its tag and digest references, and holding garbage collection
/// off while layers exist that no image records yet.
/// </summary>
public interface IDistributionImages
{
    bool HasImage(Digest id);

    /// <summary>Defers layer/blob garbage collection until disposed (pull between "layer committed" and "image recorded").</summary>
    IDisposable BeginWrite();

    /// <summary>Runs garbage collection (after a failed pull: its committed layers belong to no image).</summary>
    void CollectGarbage();

    /// <summary>
    /// Records an image whose config blob and layers exist (<paramref name="configBytes"/> null: already recorded), points <paramref name="reference"/>
    /// at it (a tag, or the digest it was pulled by) and adds repository@<paramref name="manifestDigest"/>.
    /// Returns false when the tag already pointed at this image (dockerd's "Image is up to date").
    /// </summary>
    bool RecordPull(Digest id, byte[]? configBytes, ImageReference reference, Digest manifestDigest);

    /// <summary>The image a tag names; null when the tag does not exist.</summary>
    PushableImage? FindTagged(ImageReference tag);

    /// <summary>The repository's tags (push without a tag pushes them all), lexically.</summary>
    IReadOnlyList<ImageReference> TagsOf(ImageReference repository);

    /// <summary>Whether any reference (tag or digest) of the repository exists.</summary>
    bool HasRepository(ImageReference repository);

    /// <summary>Adds repository@digest for an image (after a push), unless it names another image already.</summary>
    void AddDigestReference(ImageReference repository, Digest manifestDigest, Digest id);

    /// <summary>moby LogImageEvent: image labels (when <paramref name="reference"/> resolves) plus name.</summary>
    void PublishEvent(string action, string reference, string name);
}
