namespace Berth.Engine.Images;

/// <summary>
/// A layer unpacked into a private directory but not yet part of the store. Unpacking does not
/// depend on the parent, so a pull can unpack all its layers at once and commit them bottom
/// first. Disposing an uncommitted layer deletes it.
/// </summary>
public abstract class StagedLayer : IDisposable
{
    public abstract Digest DiffId { get; }

    /// <summary>Bytes of regular files (the layer's size once committed).</summary>
    public abstract long Size { get; }

    public abstract void Dispose();
}

/// <summary>Two-step layer application: <see cref="StageAsync"/> (parallel), <see cref="Commit"/> (in order).</summary>
public interface ILayerStaging
{
    /// <summary>
    /// Unpacks a layer tar (plain, gzip or zstd) with the same rules and limits as ApplyAsync. The
    /// files are not flushed yet (see <see cref="Sync"/>).
    /// </summary>
    Task<StagedLayer> StageAsync(Stream layerTar, CancellationToken cancellationToken);

    /// <summary>
    /// Makes staged layers durable with one flush for all of them (a pull's layers), instead of
    /// one per layer. <see cref="Commit"/> flushes a layer this did not cover by itself.
    /// </summary>
    void Sync(IEnumerable<StagedLayer> staged);

    /// <summary>
    /// Publishes a staged layer on <paramref name="parentChainId"/> (which must exist). When the
    /// chain exists already the staged copy is dropped and the existing layer returned.
    /// </summary>
    LayerInfo Commit(StagedLayer staged, Digest? parentChainId);
}
