namespace Berth.Engine.Images;

/// <summary>An image layer as stored: identified by its chain id, unpacked once, shared by images.</summary>
/// <param name="Size">Bytes of the unpacked diff (what dockerd reports as the layer's size).</param>
/// <param name="DiffPath">Directory holding the unpacked diff (an overlay lowerdir).</param>
public sealed record LayerInfo(Digest ChainId, Digest DiffId, Digest? ParentChainId, long Size, string DiffPath);

/// <summary>
/// A mount described as data (what to pass to mount(2) or fsconfig); a separate executor
/// performs it, so building it is pure and testable without root.
/// </summary>
public sealed record MountSpec(string Type, string Source, string Target, IReadOnlyList<string> Options);

/// <summary>
/// Image layers on overlayfs, keyed by chain id, plus the read-write layers of containers.
/// Layer tars are hostile input: extraction is confined to the layer's own directory.
/// </summary>
public interface ILayerStore
{
    /// <summary>
    /// Unpacks a layer tar (plain, gzip or zstd: detected from the stream) on top of
    /// <paramref name="parentChainId"/>. The DiffID is the sha256 of the uncompressed tar; when
    /// <paramref name="expectedDiffId"/> is given and differs, nothing is kept. A layer whose chain
    /// id already exists is not unpacked again (the stream is still read to verify it).
    /// </summary>
    Task<LayerInfo> ApplyAsync(Digest? parentChainId, Stream layerTar, Digest? expectedDiffId, CancellationToken cancellationToken);

    LayerInfo? Get(Digest chainId);

    IReadOnlyList<LayerInfo> List();

    /// <summary>
    /// The layer's tar, byte for byte as it was applied, so its sha256 is the DiffID again
    /// (save, push, commit round trips keep their ids).
    /// </summary>
    Stream OpenTar(Digest chainId);

    /// <summary>
    /// Removes layers not in <paramref name="keep"/> (and not below a kept layer or a read-write
    /// layer), and unfinished extractions. Returns bytes freed.
    /// </summary>
    long Collect(IReadOnlySet<Digest> keep);

    /// <summary>Creates a container's read-write layer on top of an image's top layer (null: scratch).</summary>
    void CreateReadWrite(string id, Digest? parentChainId);

    /// <summary>The overlay mount that assembles the container's rootfs at <paramref name="target"/>, in one mount call.</summary>
    MountSpec ReadWriteMount(string id, string target);

    /// <summary>The read-write layer's upper directory (changes, export, commit).</summary>
    string ReadWriteDiffPath(string id);

    void RemoveReadWrite(string id);
}
