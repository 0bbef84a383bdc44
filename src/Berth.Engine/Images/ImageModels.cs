using Berth.Engine.Filters;

namespace Berth.Engine.Images;

/// <summary>One row of GET /images/json (moby image.Summary); references in familiar form.</summary>
public sealed record ImageSummary(
    Digest Id,
    string ParentId,
    IReadOnlyList<string> RepoTags,
    IReadOnlyList<string> RepoDigests,
    long Created,
    long Size,
    long SharedSize,
    int Containers,
    IReadOnlyDictionary<string, string>? Labels);

/// <summary>What inspect reports about one image.</summary>
/// <param name="Layers">The image's layers, bottom first (GraphDriver data is built from them).</param>
public sealed record ImageDetails(
    Digest Id,
    IReadOnlyList<string> RepoTags,
    IReadOnlyList<string> RepoDigests,
    ImageConfig Config,
    long Size,
    DateTimeOffset? LastTagTime,
    IReadOnlyList<LayerInfo> Layers);

/// <summary>One GET /images/{name}/history row, newest first; Id is "&lt;missing&gt;" below the image itself.</summary>
public sealed record ImageHistoryItem(string Id, long Created, string CreatedBy, IReadOnlyList<string>? Tags, long Size, string Comment);

/// <summary>One DELETE /images/{name} (and prune) result: exactly one of the two is set.</summary>
public sealed record ImageDeleteItem(string? Untagged, string? Deleted)
{
    public static ImageDeleteItem Untag(string reference) => new(reference, null);

    public static ImageDeleteItem Delete(Digest id) => new(null, id.ToString());
}

public sealed record ImagePruneReport(IReadOnlyList<ImageDeleteItem>? ImagesDeleted, long SpaceReclaimed);

/// <summary>The images part of GET /system/df.</summary>
public sealed record ImagesDiskUsage(long LayersSize, IReadOnlyList<ImageSummary> Images);

public sealed record ImageListOptions(bool All, FilterArgs Filters, bool SharedSize = false, bool ContainerCount = false);

/// <summary>POST /images/create?fromSrc=… parameters.</summary>
public sealed record ImportRequest(string Source, string? Repo, string? Tag, string? Message, IReadOnlyList<string> Changes, string? Platform);

/// <summary>A container that uses an image (for delete conflicts and df counts).</summary>
public sealed record ImageUser(string ContainerId, bool Running);

/// <summary>
/// Which containers use which image. The container subsystem implements it; until then nothing
/// uses any image. Delete asks it for dockerd's "image is being used by … container" conflicts.
/// </summary>
public interface IImageUsage
{
    IReadOnlyList<ImageUser> UsersOf(Digest imageId);

    /// <summary>Top-layer chain ids the containers' read-write layers sit on, kept by layer GC.</summary>
    IReadOnlySet<Digest> PinnedLayers();
}

public sealed class NoImageUsage : IImageUsage
{
    public static NoImageUsage Instance { get; } = new();

    public IReadOnlyList<ImageUser> UsersOf(Digest imageId) => [];

    public IReadOnlySet<Digest> PinnedLayers() => new HashSet<Digest>();
}

/// <summary>Every local image operation the API exposes.</summary>
public interface IImageService
{
    /// <summary>Number of images (/info "Images").</summary>
    int Count { get; }

    IReadOnlyList<ImageSummary> List(ImageListOptions options);

    ImageDetails Inspect(string refOrId);

    IReadOnlyList<ImageHistoryItem> History(string refOrId);

    /// <summary>POST /images/{name}/tag; false when repo is empty (dockerd then does nothing and answers 200).</summary>
    bool Tag(string refOrId, string? repo, string? tag);

    IReadOnlyList<ImageDeleteItem> Delete(string refOrId, bool force, bool noPrune);

    ImagePruneReport Prune(FilterArgs filters);

    /// <summary>Imports a rootfs tar (plain or compressed) as a one-layer image; returns its id.</summary>
    Task<Digest> ImportAsync(ImportRequest request, Stream layerTar, CancellationToken cancellationToken);

    ImagesDiskUsage DiskUsage();

    /// <summary>Removes blobs and layers no image references; returns bytes freed.</summary>
    long CollectGarbage();
}
