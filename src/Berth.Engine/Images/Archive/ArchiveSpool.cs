using System.Formats.Tar;
using System.Security.Cryptography;
using Berth.Engine.Errors;

namespace Berth.Engine.Images.Archive;

/// <summary>A regular member of the archive, copied to the spool; blobs (named by digest) carry their sha256.</summary>
public sealed record SpooledFile(string Name, string FilePath, long Size, Digest? Sha256);

/// <summary>
/// An image archive unpacked to a private temp directory, as dockerd untars before it reads
/// manifest.json (the member order is not guaranteed). The archive is hostile input: members are
/// stored under sequence numbers, never under their own names, so no name, "..", absolute path or
/// link can place a file outside the directory; names are only keys, resolved lexically, and links
/// that leave the archive root are refused. Disposing removes the directory.
/// </summary>
public sealed class ArchiveSpool : IDisposable
{
    /// <summary>Plenty for any real archive; bounds the memory an archive of empty members can take.</summary>
    public const int MaxMembers = 100_000;

    private const int MaxLinkHops = 40;
    private readonly Dictionary<string, SpooledFile> _files = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _links = new(StringComparer.Ordinal);

    private ArchiveSpool(string directory)
    {
        Directory = directory;
    }

    /// <summary>The private directory holding the members (removed on dispose).</summary>
    public string Directory { get; }

    /// <summary>Bytes of member content spooled.</summary>
    public long TotalBytes { get; private set; }

    /// <summary>Reads a whole (uncompressed) tar into a new directory under <paramref name="tempRoot"/>.</summary>
    public static async Task<ArchiveSpool> ReadAsync(Stream tar, string tempRoot, CancellationToken cancellationToken)
    {
        System.IO.Directory.CreateDirectory(tempRoot);
        string dir = Path.Combine(tempRoot, "load-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8)));
        System.IO.Directory.CreateDirectory(dir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var spool = new ArchiveSpool(dir);
        try
        {
            await spool.FillAsync(tar, cancellationToken);
            return spool;
        }
        catch (Exception e) when (e is EndOfStreamException or InvalidDataException or FormatException or ZstdSharp.ZstdException)
        {
            spool.Dispose();
            throw DaemonException.InvalidParameter($"invalid archive: {Describe(e)}");
        }
        catch
        {
            spool.Dispose();
            throw;
        }
    }

    private static string Describe(Exception e) => e is EndOfStreamException ? "unexpected EOF" : e.Message;

    private async Task FillAsync(Stream tar, CancellationToken cancellationToken)
    {
        using var reader = new TarReader(tar, leaveOpen: true);
        int count = 0;
        while (await NextAsync(reader, count, cancellationToken) is { } entry)
        {
            if (++count > MaxMembers)
            {
                throw DaemonException.InvalidParameter($"invalid archive: more than {MaxMembers} members");
            }
            switch (entry.EntryType)
            {
                case TarEntryType.RegularFile or TarEntryType.V7RegularFile or TarEntryType.ContiguousFile:
                    await AddFileAsync(Name(entry.Name), entry, count, cancellationToken);
                    break;
                case TarEntryType.SymbolicLink:
                    string link = Name(entry.Name);
                    _links[link] = ArchivePath.ResolveLink(link, entry.LinkName)
                        ?? throw DaemonException.InvalidParameter($"invalid archive: symlink {entry.Name} -> {entry.LinkName} points outside the archive");
                    _files.Remove(link);
                    break;
                case TarEntryType.HardLink:
                    string hard = Name(entry.Name);
                    _links[hard] = ArchivePath.Clean(entry.LinkName)
                        ?? throw DaemonException.InvalidParameter($"invalid archive: hard link {entry.Name} -> {entry.LinkName} points outside the archive");
                    _files.Remove(hard);
                    break;
                default:
                    // Directories, devices, fifos, pax globals: nothing an image archive needs.
                    break;
            }
        }
    }

    /// <summary>An empty body is an empty archive (as Go's tar reader sees it), not a truncated one.</summary>
    private static async Task<TarEntry?> NextAsync(TarReader reader, int count, CancellationToken cancellationToken)
    {
        try
        {
            return await reader.GetNextEntryAsync(copyData: false, cancellationToken);
        }
        catch (EndOfStreamException) when (count == 0)
        {
            return null;
        }
    }

    private static string Name(string name) =>
        ArchivePath.Clean(name) ?? throw DaemonException.InvalidParameter($"invalid archive: member name {name} is outside the archive");

    private async Task AddFileAsync(string name, TarEntry entry, int sequence, CancellationToken cancellationToken)
    {
        string path = Path.Combine(Directory, sequence.ToString(System.Globalization.CultureInfo.InvariantCulture));
        // Only blobs are named by their digest; other members (legacy layer.tar, configs) are
        // verified by what reads them, so hashing them here would be wasted CPU.
        using var hash = name.StartsWith("blobs/", StringComparison.Ordinal) ? IncrementalHash.CreateHash(HashAlgorithmName.SHA256) : null;
        long size = 0;
        await using (var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 0, FileOptions.Asynchronous))
        {
            if (entry.DataStream is { } data)
            {
                var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(1 << 20);
                try
                {
                    int n;
                    while ((n = await data.ReadAsync(buffer, cancellationToken)) > 0)
                    {
                        hash?.AppendData(buffer, 0, n);
                        await file.WriteAsync(buffer.AsMemory(0, n), cancellationToken);
                        size += n;
                    }
                }
                finally
                {
                    System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
                }
            }
        }
        if (size != entry.Length)
        {
            throw new EndOfStreamException();
        }
        TotalBytes += size;
        _links.Remove(name);
        _files[name] = new SpooledFile(name, path, size, hash is null ? null : Digest.FromHash(hash.GetHashAndReset()));
    }

    /// <summary>The regular file a name denotes, following links inside the archive; null when absent.</summary>
    public SpooledFile? Find(string name)
    {
        string? current = ArchivePath.Clean(name);
        for (int hops = 0; current is not null && hops <= MaxLinkHops; hops++)
        {
            if (_files.TryGetValue(current, out var file))
            {
                return file;
            }
            if (!_links.TryGetValue(current, out current))
            {
                return null;
            }
        }
        return null;
    }

    /// <summary>Like <see cref="Find"/>, but a missing or escaping name is a clear InvalidParameter.</summary>
    public SpooledFile Get(string? name, string what)
    {
        if (ArchivePath.Clean(name) is null)
        {
            throw DaemonException.InvalidParameter($"invalid archive: {what} path {name} is outside the archive");
        }
        return Find(name!) ?? throw DaemonException.InvalidParameter($"invalid archive: {what} {name} not found in the archive");
    }

    /// <summary>A member's sha256: computed while spooling for blobs, else now (a blob reached through a link).</summary>
    public static Digest Sha256Of(SpooledFile file)
    {
        if (file.Sha256 is { } known)
        {
            return known;
        }
        return Digest.FromHash(Berth.Linux.FileHash.Sha256(file.FilePath));
    }

    /// <summary>Reads a small member (JSON) whole; larger than <paramref name="maxBytes"/> is refused.</summary>
    public byte[] ReadSmall(SpooledFile file, long maxBytes = 32 << 20)
    {
        if (file.Size > maxBytes)
        {
            throw DaemonException.InvalidParameter($"invalid archive: {file.Name} is larger than {maxBytes} bytes");
        }
        return File.ReadAllBytes(file.FilePath);
    }

    /// <summary>Removes every spool under <paramref name="tempRoot"/> (at start-up: leftovers of a crash).</summary>
    public static void RemoveAll(string tempRoot)
    {
        if (!System.IO.Directory.Exists(tempRoot))
        {
            return;
        }
        foreach (var dir in System.IO.Directory.EnumerateDirectories(tempRoot, "load-*"))
        {
            System.IO.Directory.Delete(dir, recursive: true);
        }
    }

    public void Dispose()
    {
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }
}
