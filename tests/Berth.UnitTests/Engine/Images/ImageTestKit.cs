using System.Security.Cryptography;
using System.Text;
using Berth.Engine.Events;
using Berth.Engine.Images;
using Berth.Storage;
using Berth.Storage.Images;
using Berth.UnitTests.Engine.Events;
using Berth.UnitTests.Storage;

namespace Berth.UnitTests.Engine.Images;

/// <summary>Content blobs in memory.</summary>
internal sealed class MemoryContentStore : IContentStore
{
    public Dictionary<Digest, byte[]> Blobs { get; } = [];

    public bool Exists(Digest digest) => Blobs.ContainsKey(digest);
    public long? SizeOf(Digest digest) => Blobs.TryGetValue(digest, out var b) ? b.Length : null;
    public Stream OpenRead(Digest digest) => new MemoryStream(ReadAll(digest));
    public byte[] ReadAll(Digest digest) => Blobs.TryGetValue(digest, out var b) ? b : throw Berth.Engine.Errors.DaemonException.NotFound($"blob {digest} not found");

    public async Task<Digest> WriteAsync(Stream content, Digest? expected, long maxSize, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        await content.CopyToAsync(buffer, cancellationToken);
        return Write(buffer.ToArray(), expected);
    }

    public Digest Write(ReadOnlySpan<byte> content, Digest? expected = null)
    {
        var digest = Digest.Compute(content);
        Blobs[digest] = content.ToArray();
        return digest;
    }

    public void Delete(Digest digest) => Blobs.Remove(digest);
    public IEnumerable<Digest> List() => Blobs.Keys;

    public long Collect(IReadOnlySet<Digest> keep)
    {
        long freed = 0;
        foreach (var digest in Blobs.Keys.Where(d => !keep.Contains(d)).ToList())
        {
            freed += Blobs[digest].Length;
            Blobs.Remove(digest);
        }
        return freed;
    }
}

/// <summary>A layer store that "unpacks" a stream by hashing it: size = byte count.</summary>
internal sealed class FakeLayerStore : ILayerStore
{
    public Dictionary<Digest, LayerInfo> Layers { get; } = [];
    public List<IReadOnlySet<Digest>> Collects { get; } = [];

    public async Task<LayerInfo> ApplyAsync(Digest? parentChainId, Stream layerTar, Digest? expectedDiffId, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        await layerTar.CopyToAsync(buffer, cancellationToken);
        var diffId = Digest.Compute(buffer.ToArray());
        var chainId = Digest.Chain(parentChainId, diffId);
        var layer = new LayerInfo(chainId, diffId, parentChainId, buffer.Length, $"/data/overlay/{chainId.Hex[..12]}/diff");
        Layers.TryAdd(chainId, layer);
        return Layers[chainId];
    }

    public LayerInfo? Get(Digest chainId) => Layers.GetValueOrDefault(chainId);
    public IReadOnlyList<LayerInfo> List() => [.. Layers.Values];
    public Stream OpenTar(Digest chainId) => throw new NotSupportedException();

    public long Collect(IReadOnlySet<Digest> keep)
    {
        Collects.Add(keep);
        long freed = 0;
        foreach (var id in Layers.Keys.Where(k => !keep.Contains(k)).ToList())
        {
            freed += Layers[id].Size;
            Layers.Remove(id);
        }
        return freed;
    }

    public void CreateReadWrite(string id, Digest? parentChainId) => throw new NotSupportedException();
    public MountSpec ReadWriteMount(string id, string target) => throw new NotSupportedException();
    public string ReadWriteDiffPath(string id) => throw new NotSupportedException();
    public void RemoveReadWrite(string id) => throw new NotSupportedException();
}

/// <summary>Containers using images, set by tests.</summary>
internal sealed class FakeImageUsage : IImageUsage
{
    public Dictionary<Digest, List<ImageUser>> Users { get; } = [];
    public IReadOnlyList<ImageUser> UsersOf(Digest imageId) => Users.GetValueOrDefault(imageId) ?? [];
    public IReadOnlySet<Digest> PinnedLayers() => new HashSet<Digest>();
}

/// <summary>An ImageService over a real SQLite image store and in-memory content/layers.</summary>
internal sealed class ImageTestKit : IDisposable
{
    private readonly TestDataRoot _root = new();
    private SqliteStateStore _state;

    public ImageTestKit()
    {
        _state = new SqliteStateStore(_root.Path);
        Service = NewService();
    }

    public MemoryContentStore Content { get; } = new();
    public FakeLayerStore Layers { get; } = new();
    public FakeImageUsage Usage { get; } = new();
    public ManualTimeProvider Clock { get; } = new(DateTimeOffset.FromUnixTimeSeconds(1_700_000_000));
    public EventBus Events { get; private set; } = null!;
    public ImageService Service { get; private set; }

    /// <summary>Reopens the database and builds a fresh service, as a daemon restart does.</summary>
    public void Restart()
    {
        _state.Dispose();
        _state = new SqliteStateStore(_root.Path);
        Service = NewService();
    }

    private ImageService NewService()
    {
        Events = new EventBus(Clock);
        return new ImageService(new SqliteImageStore(_state), Content, Layers, Events, Clock, Usage);
    }

    /// <summary>Imports a distinct fake layer; each call advances the clock one minute so Created differs.</summary>
    public Digest Import(string? repo = null, string content = "rootfs", params string[] changes)
    {
        Advance(TimeSpan.FromMinutes(1));
        var body = new MemoryStream(Encoding.UTF8.GetBytes(content));
        return Service.ImportAsync(new ImportRequest("-", repo, null, null, changes, null), body, CancellationToken.None).GetAwaiter().GetResult();
    }

    public void Advance(TimeSpan by) =>
        Clock.SetUnixNanoseconds((Clock.GetUtcNow() + by - DateTimeOffset.UnixEpoch).Ticks * 100);

    public List<(string Action, string Id, string? Name)> EventLog()
    {
        using var sub = Events.Subscribe();
        return [.. sub.History.Where(e => e.Type == EventTypes.Image).Select(e => (e.Action, e.ActorId, e.Attributes.GetValueOrDefault("name")))];
    }

    public static string Sha(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    public void Dispose()
    {
        _state.Dispose();
        _root.Dispose();
    }
}
