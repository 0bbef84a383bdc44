using System.Collections.Concurrent;
using System.Security.Cryptography;
using Berth.Engine.Errors;
using Berth.Engine.Images;
using Berth.Linux;

namespace Berth.Storage.Content;

/// <summary>
/// <see cref="IContentStore"/> on plain files: <c>&lt;data-root&gt;/content/sha256/&lt;hex&gt;</c>.
/// A write streams into <c>content/ingest/&lt;random&gt;</c> while hashing, is fsynced and checked,
/// then renamed into place and the directory fsynced: a crash leaves either the whole verified
/// blob or an ingest leftover that <see cref="Collect"/> removes.
/// </summary>
public sealed class ContentStore : IContentStore
{
    private const int BufferSize = 128 * 1024;
    private const UnixFileMode PrivateDir = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    private readonly string _blobs;
    private readonly string _ingest;

    // Ingest files being written right now; Collect must not pull them from under a writer.
    private readonly ConcurrentDictionary<string, byte> _active = new(StringComparer.Ordinal);

    public ContentStore(string dataRoot)
    {
        Root = Path.Combine(dataRoot, "content");
        _blobs = Path.Combine(Root, "sha256");
        _ingest = Path.Combine(Root, "ingest");
        foreach (var dir in new[] { dataRoot, Root, _blobs, _ingest })
        {
            Directory.CreateDirectory(dir, PrivateDir);
        }
    }

    /// <summary><c>&lt;data-root&gt;/content</c>.</summary>
    public string Root { get; }

    public bool Exists(Digest digest) => File.Exists(BlobPath(digest));

    public long? SizeOf(Digest digest)
    {
        var info = new FileInfo(BlobPath(digest));
        return info.Exists ? info.Length : null;
    }

    public Stream OpenRead(Digest digest)
    {
        try
        {
            return new FileStream(BlobPath(digest), FileMode.Open, FileAccess.Read, FileShare.Read, BufferSize, FileOptions.SequentialScan);
        }
        catch (FileNotFoundException)
        {
            throw DaemonException.NotFound(Messages.ContentNotFound(digest));
        }
    }

    public byte[] ReadAll(Digest digest)
    {
        try
        {
            return File.ReadAllBytes(BlobPath(digest));
        }
        catch (FileNotFoundException)
        {
            throw DaemonException.NotFound(Messages.ContentNotFound(digest));
        }
    }

    public async Task<Digest> WriteAsync(Stream content, Digest? expected, long maxSize, CancellationToken cancellationToken)
    {
        var temp = NewIngestPath();
        try
        {
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            await using (var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 0))
            {
                var buffer = new byte[BufferSize];
                long total = 0;
                int n;
                while ((n = await content.ReadAsync(buffer, cancellationToken)) > 0)
                {
                    total += n;
                    if (total > maxSize)
                    {
                        throw DaemonException.InvalidParameter(Messages.ContentTooLarge(maxSize));
                    }
                    hash.AppendData(buffer, 0, n);
                    await file.WriteAsync(buffer.AsMemory(0, n), cancellationToken);
                }
                file.Flush(flushToDisk: true);
            }
            return Commit(temp, Digest.FromHash(hash.GetHashAndReset()), expected);
        }
        finally
        {
            Forget(temp);
        }
    }

    public Digest Write(ReadOnlySpan<byte> content, Digest? expected = null)
    {
        var actual = Digest.Compute(content);
        if (expected is { } e && e != actual)
        {
            throw DaemonException.InvalidParameter(Messages.DigestMismatch(e, actual));
        }
        if (Exists(actual))
        {
            return actual;
        }
        var temp = NewIngestPath();
        try
        {
            using (var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 0))
            {
                file.Write(content);
                file.Flush(flushToDisk: true);
            }
            return Commit(temp, actual, expected);
        }
        finally
        {
            Forget(temp);
        }
    }

    public void Delete(Digest digest) => File.Delete(BlobPath(digest));

    public IEnumerable<Digest> List()
    {
        foreach (var file in Directory.EnumerateFiles(_blobs))
        {
            if (Digest.TryParse("sha256:" + Path.GetFileName(file), out var digest))
            {
                yield return digest;
            }
        }
    }

    public long Collect(IReadOnlySet<Digest> keep)
    {
        long freed = 0;
        foreach (var file in new DirectoryInfo(_blobs).EnumerateFiles())
        {
            // Foreign names (not a digest) are not ours to keep either.
            if (Digest.TryParse("sha256:" + file.Name, out var digest) && keep.Contains(digest))
            {
                continue;
            }
            freed += file.Length;
            file.Delete();
        }
        foreach (var file in new DirectoryInfo(_ingest).EnumerateFiles())
        {
            if (!_active.ContainsKey(file.FullName))
            {
                freed += file.Length;
                file.Delete();
            }
        }
        return freed;
    }

    private string BlobPath(Digest digest) => Path.Combine(_blobs, digest.Hex);

    private string NewIngestPath()
    {
        var path = Path.Combine(_ingest, Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16)));
        _active[path] = 0;
        return path;
    }

    private void Forget(string temp)
    {
        File.Delete(temp); // no-op after a successful rename
        _active.TryRemove(temp, out _);
    }

    private Digest Commit(string temp, Digest actual, Digest? expected)
    {
        if (expected is { } e && e != actual)
        {
            throw DaemonException.InvalidParameter(Messages.DigestMismatch(e, actual));
        }
        // rename(2) replaces atomically; an existing blob has the same bytes, so either wins.
        File.Move(temp, BlobPath(actual), overwrite: true);
        FileSys.FsyncDirectory(_blobs);
        return actual;
    }
}
