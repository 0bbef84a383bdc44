using System.Formats.Tar;
using System.IO.Compression;
using System.Text;
using Berth.Engine.Errors;
using Berth.Engine.Events;
using Berth.Engine.Images;
using Berth.Engine.Images.Archive;
using Berth.Storage;
using Berth.Storage.Images;
using Berth.UnitTests.Engine.Events;
using Berth.UnitTests.Storage;

namespace Berth.UnitTests.Engine.Images.Archive;

/// <summary>
/// A layer store that keeps each layer's tar bytes (gzip undone), checks the expected DiffID like
/// the real one, and hands the bytes back from OpenTar as an unseekable stream.
/// </summary>
internal sealed class TarKeepingLayerStore : ILayerStore
{
    public Dictionary<Digest, (LayerInfo Info, byte[] Tar)> Layers { get; } = [];

    public async Task<LayerInfo> ApplyAsync(Digest? parentChainId, Stream layerTar, Digest? expectedDiffId, CancellationToken cancellationToken)
    {
        using var raw = new MemoryStream();
        await layerTar.CopyToAsync(raw, cancellationToken);
        byte[] bytes = raw.ToArray();
        if (bytes.Length > 2 && bytes[0] == 0x1f && bytes[1] == 0x8b)
        {
            using var gz = new GZipStream(new MemoryStream(bytes), CompressionMode.Decompress);
            using var plain = new MemoryStream();
            await gz.CopyToAsync(plain, cancellationToken);
            bytes = plain.ToArray();
        }
        var diffId = Digest.Compute(bytes);
        if (expectedDiffId is { } expected && expected != diffId)
        {
            throw DaemonException.InvalidParameter($"layer DiffID {diffId} does not match the expected {expected}");
        }
        var chainId = Digest.Chain(parentChainId, diffId);
        Layers.TryAdd(chainId, (new LayerInfo(chainId, diffId, parentChainId, bytes.Length, "/nowhere"), bytes));
        return Layers[chainId].Info;
    }

    public LayerInfo? Get(Digest chainId) => Layers.TryGetValue(chainId, out var l) ? l.Info : null;
    public IReadOnlyList<LayerInfo> List() => [.. Layers.Values.Select(l => l.Info)];
    public Stream OpenTar(Digest chainId) => new UnseekableStream(Layers[chainId].Tar);

    public long Collect(IReadOnlySet<Digest> keep)
    {
        long freed = 0;
        foreach (var id in Layers.Keys.Where(k => !keep.Contains(k)).ToList())
        {
            freed += Layers[id].Tar.Length;
            Layers.Remove(id);
        }
        return freed;
    }

    public void CreateReadWrite(string id, Digest? parentChainId) => throw new NotSupportedException();
    public MountSpec ReadWriteMount(string id, string target) => throw new NotSupportedException();
    public string ReadWriteDiffPath(string id) => throw new NotSupportedException();
    public void RemoveReadWrite(string id) => throw new NotSupportedException();

    private sealed class UnseekableStream(byte[] bytes) : MemoryStream(bytes)
    {
        public override bool CanSeek => false;
    }
}

/// <summary>An ImageService with a real SQLite store, in-memory blobs and tar-keeping layers.</summary>
internal sealed class ArchiveTestKit : IDisposable
{
    private readonly TestDataRoot _root = new();
    private readonly SqliteStateStore _state;

    public ArchiveTestKit()
    {
        _state = new SqliteStateStore(_root.Path);
        Events = new EventBus(Clock);
        Service = new ImageService(new SqliteImageStore(_state), Content, Layers, Events, Clock)
        {
            TempRoot = Path.Combine(_root.Path, "tmp"),
        };
    }

    public MemoryContentStore Content { get; } = new();
    public TarKeepingLayerStore Layers { get; } = new();
    public ManualTimeProvider Clock { get; } = new(DateTimeOffset.FromUnixTimeSeconds(1_700_000_000));
    public EventBus Events { get; }
    public ImageService Service { get; }

    /// <summary>Imports a one-file layer tar as a tagged image.</summary>
    public Digest Import(string repo, string fileContent)
    {
        var tar = ArchiveBuilder.LayerTar(("file.txt", fileContent));
        return Service.ImportAsync(new ImportRequest("-", repo, null, null, [], null), new MemoryStream(tar), CancellationToken.None).GetAwaiter().GetResult();
    }

    public async Task<byte[]> SaveAsync(params string[] names)
    {
        var output = new MemoryStream();
        await Service.SaveAsync(names, _ => Task.FromResult<Stream>(output), CancellationToken.None);
        return output.ToArray();
    }

    public async Task<List<string>> LoadAsync(byte[] archive, bool progress = false)
    {
        var lines = new List<string>();
        await Service.LoadAsync(new MemoryStream(archive), progress, (r, _) =>
        {
            lines.Add(r.Message ?? $"progress {r.LayerId} {r.Current}/{r.Total}");
            return Task.CompletedTask;
        }, CancellationToken.None);
        return lines;
    }

    /// <summary>Everything load could leave behind: images+tags, blobs, layers, spool directories.</summary>
    public string Snapshot()
    {
        var images = Service.List(new ImageListOptions(true, new Berth.Engine.Filters.FilterArgs()));
        var spools = Directory.Exists(Service.TempRoot) ? Directory.GetFileSystemEntries(Service.TempRoot).Length : 0;
        return string.Join("\n",
            string.Join(",", images.Select(i => i.Id + "=" + string.Join("+", i.RepoTags)).Order()),
            string.Join(",", Content.Blobs.Keys.Select(k => k.Hex).Order()),
            string.Join(",", Layers.Layers.Keys.Select(k => k.Hex).Order()),
            "spools=" + spools);
    }

    public void Dispose()
    {
        _state.Dispose();
        _root.Dispose();
    }
}

/// <summary>Builds tars in memory: image archives and layer tars, with any member the tests need.</summary>
internal static class ArchiveBuilder
{
    public static byte[] LayerTar(params (string Name, string Content)[] files)
    {
        var output = new MemoryStream();
        using (var writer = new TarWriter(output, TarEntryFormat.Pax, leaveOpen: true))
        {
            foreach (var (name, content) in files)
            {
                writer.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, name)
                {
                    DataStream = new MemoryStream(Encoding.UTF8.GetBytes(content)),
                    ModificationTime = DateTimeOffset.UnixEpoch,
                });
            }
        }
        return output.ToArray();
    }

    /// <summary>An archive of members: byte[] content is a file, a string starting with "-> " a symlink.</summary>
    public static byte[] Tar(params (string Name, object Content)[] members)
    {
        var output = new MemoryStream();
        using (var writer = new TarWriter(output, TarEntryFormat.Pax, leaveOpen: true))
        {
            foreach (var (name, content) in members)
            {
                var entry = content switch
                {
                    string link when link.StartsWith("-> ", StringComparison.Ordinal) => new PaxTarEntry(TarEntryType.SymbolicLink, name) { LinkName = link[3..] },
                    string text => new PaxTarEntry(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(Encoding.UTF8.GetBytes(text)) },
                    byte[] bytes => new PaxTarEntry(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(bytes) },
                    _ => throw new ArgumentException("unknown member content"),
                };
                writer.WriteEntry(entry);
            }
        }
        return output.ToArray();
    }

    public static byte[] Gzip(byte[] bytes)
    {
        var output = new MemoryStream();
        using (var gz = new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true))
        {
            gz.Write(bytes);
        }
        return output.ToArray();
    }

    public static string Hex(byte[] bytes) => Digest.Compute(bytes).Hex;

    /// <summary>A minimal linux config over the given layer tars (uncompressed).</summary>
    public static byte[] Config(string architecture, params byte[][] layerTars) => Encoding.UTF8.GetBytes(
        $$"""{"architecture":"{{architecture}}","os":"linux","config":{"Cmd":["sh"]},"rootfs":{"type":"layers","diff_ids":[{{string.Join(",", layerTars.Select(t => $"\"sha256:{Hex(t)}\""))}}]},"history":[{"created_by":"test"}]}""");

    public static string HostArch => PlatformMatcher.Host.Architecture;

    /// <summary>Unpacks a tar into name → bytes (symlinks as "-> target").</summary>
    public static Dictionary<string, byte[]> Members(byte[] tar)
    {
        var members = new Dictionary<string, byte[]>();
        using var reader = new TarReader(new MemoryStream(tar));
        while (reader.GetNextEntry() is { } entry)
        {
            if (entry.EntryType == TarEntryType.SymbolicLink)
            {
                members[entry.Name] = Encoding.UTF8.GetBytes("-> " + entry.LinkName);
            }
            else if (entry.DataStream is { } data)
            {
                using var copy = new MemoryStream();
                data.CopyTo(copy);
                members[entry.Name] = copy.ToArray();
            }
            else
            {
                members[entry.Name] = [];
            }
        }
        return members;
    }
}
