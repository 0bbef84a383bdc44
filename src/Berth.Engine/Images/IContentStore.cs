namespace Berth.Engine.Images;

/// <summary>
/// Content-addressed blobs (image configs, manifests, indexes) under
/// <c>&lt;data-root&gt;/content/sha256/&lt;hex&gt;</c>. Writes are verified while they stream and land
/// with temp-then-rename: a blob is either complete and correct, or absent.
/// </summary>
public interface IContentStore
{
    bool Exists(Digest digest);

    /// <summary>Size in bytes, or null when absent.</summary>
    long? SizeOf(Digest digest);

    /// <summary>Opens a blob for reading; NotFound when absent.</summary>
    Stream OpenRead(Digest digest);

    /// <summary>Reads a whole (small) blob; NotFound when absent.</summary>
    byte[] ReadAll(Digest digest);

    /// <summary>
    /// Stores a stream. With <paramref name="expected"/> a different digest (or a size above
    /// <paramref name="maxSize"/>) is InvalidParameter and nothing is kept. Returns the digest.
    /// </summary>
    Task<Digest> WriteAsync(Stream content, Digest? expected, long maxSize, CancellationToken cancellationToken);

    /// <summary>Stores bytes already in memory (configs, manifests).</summary>
    Digest Write(ReadOnlySpan<byte> content, Digest? expected = null);

    /// <summary>Removes a blob; absent blobs are ignored.</summary>
    void Delete(Digest digest);

    IEnumerable<Digest> List();

    /// <summary>Removes blobs not in <paramref name="keep"/> and unfinished writes; returns bytes freed.</summary>
    long Collect(IReadOnlySet<Digest> keep);
}
