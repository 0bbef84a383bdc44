using System.Collections.Concurrent;
using System.IO.Pipelines;
using System.Text.RegularExpressions;
using Berth.Engine.Errors;
using Berth.Engine.Images;

namespace Berth.Storage.Layers;

/// <summary>
/// <see cref="ILayerStore"/> laid out like dockerd's overlay2: <c>&lt;data-root&gt;/overlay/&lt;cache-id&gt;/</c>
/// holds <c>diff</c>, <c>link</c> (short id), <c>layer.json</c> and <c>tar-split.gz</c>;
/// <c>overlay/l/&lt;short&gt;</c> links to the diff so long lowerdir lists stay short. A layer is
/// built in <c>overlay/tmp-&lt;random&gt;</c> and renamed into place whole, so after a crash a layer
/// is either complete or a tmp-* leftover that start-up removes. The index is rebuilt at start
/// from the layer.json files.
/// </summary>
public sealed partial class OverlayLayerStore : ILayerStore
{
    private const UnixFileMode PrivateDir = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private const UnixFileMode PublicDir = PrivateDir | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;

    private readonly ExtractionLimits _limits;
    private readonly Lock _lock = new();
    private readonly Dictionary<Digest, LayerMetadata> _layers = [];
    private readonly Dictionary<string, LayerMetadata> _readWrite = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<Digest, SemaphoreSlim> _chainLocks = new();
    private readonly ConcurrentDictionary<string, byte> _activeTemp = new(StringComparer.Ordinal);

    public OverlayLayerStore(string dataRoot, ExtractionLimits? limits = null)
    {
        _limits = limits ?? ExtractionLimits.Default;
        Directory.CreateDirectory(dataRoot, PrivateDir);
        Root = Path.Combine(dataRoot, "overlay");
        Directory.CreateDirectory(Root, PrivateDir);
        Directory.CreateDirectory(LinkDir, PrivateDir);
        Load();
    }

    /// <summary><c>&lt;data-root&gt;/overlay</c>.</summary>
    public string Root { get; }

    private string LinkDir => Path.Combine(Root, "l");

    public async Task<LayerInfo> ApplyAsync(Digest? parentChainId, Stream layerTar, Digest? expectedDiffId, CancellationToken cancellationToken)
    {
        if (parentChainId is { } p && Get(p) is null)
        {
            throw DaemonException.NotFound(Messages.LayerNotFound(p));
        }
        if (expectedDiffId is { } expected)
        {
            var chain = Digest.Chain(parentChainId, expected);
            var gate = _chainLocks.GetOrAdd(chain, _ => new SemaphoreSlim(1, 1));
            await gate.WaitAsync(cancellationToken);
            try
            {
                if (Get(chain) is { } existing)
                {
                    // Already unpacked: still read the stream, so a wrong blob is an error, not a silent no-op.
                    var actual = await RunSync(layerTar, s => LayerExtractor.ComputeDiffId(s, _limits.MaxTotalSize, cancellationToken), cancellationToken);
                    return actual == expected ? existing : throw DaemonException.InvalidParameter(Messages.DiffIdMismatch(expected, actual));
                }
                return await ExtractAndCommit(parentChainId, layerTar, expected, cancellationToken);
            }
            finally
            {
                gate.Release();
            }
        }
        return await ExtractAndCommit(parentChainId, layerTar, null, cancellationToken);
    }

    public LayerInfo? Get(Digest chainId)
    {
        lock (_lock)
        {
            return _layers.TryGetValue(chainId, out var meta) ? ToInfo(meta) : null;
        }
    }

    public IReadOnlyList<LayerInfo> List()
    {
        lock (_lock)
        {
            return _layers.Values.Select(ToInfo).ToList();
        }
    }

    public Stream OpenTar(Digest chainId)
    {
        var meta = Require(chainId);
        var dir = Path.Combine(Root, meta.CacheId);
        return new TarSplitReader(Path.Combine(dir, "tar-split.gz"), Path.Combine(dir, "diff"), Path.Combine(dir, "shadow"));
    }

    public long Collect(IReadOnlySet<Digest> keep)
    {
        var doomed = new List<LayerMetadata>();
        lock (_lock)
        {
            var live = new HashSet<Digest>();
            var roots = keep.Concat(_readWrite.Values.Where(r => r.ParentChainId is not null).Select(r => r.ParentChainId!.Value));
            foreach (var root in roots)
            {
                for (Digest? c = root; c is { } chain && live.Add(chain) && _layers.TryGetValue(chain, out var m);)
                {
                    c = m.ParentChainId;
                }
            }
            foreach (var (chain, meta) in _layers)
            {
                // A chain whose apply is running holds its lock; leave it for the next collection.
                if (!live.Contains(chain) && !(_chainLocks.TryGetValue(chain, out var gate) && gate.CurrentCount == 0))
                {
                    doomed.Add(meta);
                }
            }
            foreach (var meta in doomed)
            {
                _layers.Remove(meta.ChainId!.Value);
            }
        }
        long freed = 0;
        foreach (var meta in doomed)
        {
            freed += meta.Size;
            RemoveLayerDirectory(meta);
        }
        foreach (var dir in Directory.EnumerateDirectories(Root, "tmp-*"))
        {
            if (!_activeTemp.ContainsKey(dir))
            {
                Directory.Delete(dir, recursive: true);
            }
        }
        return freed;
    }

    private static LayerInfo ToInfo(LayerMetadata meta, string root) =>
        new(meta.ChainId!.Value, meta.DiffId!.Value, meta.ParentChainId, meta.Size, Path.Combine(root, meta.CacheId, "diff"));

    private LayerInfo ToInfo(LayerMetadata meta) => ToInfo(meta, Root);

    private LayerMetadata Require(Digest chainId)
    {
        lock (_lock)
        {
            return _layers.TryGetValue(chainId, out var meta) ? meta : throw DaemonException.NotFound(Messages.LayerNotFound(chainId));
        }
    }

    private async Task<LayerInfo> ExtractAndCommit(Digest? parent, Stream layerTar, Digest? expected, CancellationToken cancellationToken)
    {
        var temp = NewTempDir();
        try
        {
            var diff = Path.Combine(temp, "diff");
            Directory.CreateDirectory(diff, PublicDir);
            var result = await RunSync(layerTar, s => LayerExtractor.Extract(s, diff, Path.Combine(temp, "tar-split.gz"),
                Path.Combine(temp, "shadow"), _limits, cancellationToken), cancellationToken);
            if (expected is { } e && e != result.DiffId)
            {
                throw DaemonException.InvalidParameter(Messages.DiffIdMismatch(e, result.DiffId));
            }
            var chain = Digest.Chain(parent, result.DiffId);
            var gate = expected is null ? _chainLocks.GetOrAdd(chain, _ => new SemaphoreSlim(1, 1)) : null;
            if (gate is not null)
            {
                await gate.WaitAsync(cancellationToken);
            }
            try
            {
                if (Get(chain) is { } existing)
                {
                    return existing; // unpacked meanwhile by another apply; ours is thrown away
                }
                var meta = new LayerMetadata(LayerMetadata.NewCacheId(), LayerMetadata.NewShortId(), chain, result.DiffId, parent, result.Size);
                CommitDirectory(temp, meta, LayerMetadata.ImageFile);
                lock (_lock)
                {
                    _layers[chain] = meta;
                }
                return ToInfo(meta);
            }
            finally
            {
                gate?.Release();
            }
        }
        finally
        {
            DiscardTemp(temp);
        }
    }

    /// <summary>
    /// TarReader is synchronous and a request body may refuse synchronous reads, so the body is
    /// pumped asynchronously through a pipe that the extraction reads on a worker thread. Large
    /// segments: the pump reads (and flushes) a segment at a time, and 4 KiB ones cost a
    /// continuation per 4 KiB of a layer.
    /// </summary>
    private static async Task<T> RunSync<T>(Stream input, Func<Stream, T> work, CancellationToken cancellationToken)
    {
        var pipe = new Pipe(new PipeOptions(pauseWriterThreshold: 4 << 20, resumeWriterThreshold: 2 << 20, minimumSegmentSize: 128 * 1024,
            useSynchronizationContext: false));
        var pump = Task.Run(async () =>
        {
            try
            {
                await input.CopyToAsync(pipe.Writer, cancellationToken);
                await pipe.Writer.CompleteAsync();
            }
            catch (Exception e)
            {
                await pipe.Writer.CompleteAsync(e);
            }
        }, CancellationToken.None);
        try
        {
            return await Task.Run(() =>
            {
                using var reader = pipe.Reader.AsStream();
                return work(reader);
            }, cancellationToken);
        }
        finally
        {
            await pipe.Reader.CompleteAsync(); // stops the pump if the work gave up early
            await pump;
        }
    }

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$")]
    private static partial Regex ReadWriteIdPattern();
}
