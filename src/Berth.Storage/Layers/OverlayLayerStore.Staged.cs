using Berth.Engine.Errors;
using Berth.Engine.Images;
using Berth.Linux;

namespace Berth.Storage.Layers;

/// <summary>Staged application (<see cref="ILayerStaging"/>): unpack now, commit on a parent later.</summary>
public sealed partial class OverlayLayerStore : ILayerStaging
{
    public async Task<StagedLayer> StageAsync(Stream layerTar, CancellationToken cancellationToken)
    {
        var temp = NewTempDir();
        try
        {
            var diff = Path.Combine(temp, "diff");
            Directory.CreateDirectory(diff, PublicDir);
            var result = await RunSync(layerTar, s => LayerExtractor.Extract(s, diff, Path.Combine(temp, "tar-split.gz"),
                Path.Combine(temp, "shadow"), _limits, cancellationToken, durable: false), cancellationToken);
            return new Staged(this, temp, result.DiffId, result.Size);
        }
        catch
        {
            DiscardTemp(temp);
            throw;
        }
    }

    public void Sync(IEnumerable<StagedLayer> staged)
    {
        var pending = staged.OfType<Staged>().Where(s => s.Owner == this && !s.Done && !s.Durable).ToList();
        if (pending.Count == 0)
        {
            return;
        }
        // syncfs covers the whole filesystem the staging directories live on: one call for all.
        SyncDirectory(pending[0].TempDir);
        foreach (var s in pending)
        {
            s.Durable = true;
        }
    }

    public LayerInfo Commit(StagedLayer staged, Digest? parentChainId)
    {
        if (staged is not Staged s || s.Owner != this || s.Done)
        {
            throw new ArgumentException("not a pending layer of this store", nameof(staged));
        }
        if (!s.Durable)
        {
            SyncDirectory(s.TempDir);
            s.Durable = true;
        }
        if (parentChainId is { } p && Get(p) is null)
        {
            throw DaemonException.NotFound(Messages.LayerNotFound(p));
        }
        var chain = Digest.Chain(parentChainId, s.DiffId);
        var gate = _chainLocks.GetOrAdd(chain, _ => new SemaphoreSlim(1, 1));
        gate.Wait();
        try
        {
            if (Get(chain) is { } existing)
            {
                s.Dispose();
                return existing;
            }
            var meta = new LayerMetadata(LayerMetadata.NewCacheId(), LayerMetadata.NewShortId(), chain, s.DiffId, parentChainId, s.Size);
            CommitDirectory(s.TempDir, meta, LayerMetadata.ImageFile);
            lock (_lock)
            {
                _layers[chain] = meta;
            }
            s.MarkCommitted();
            return ToInfo(meta);
        }
        finally
        {
            gate.Release();
        }
    }

    private sealed class Staged(OverlayLayerStore owner, string tempDir, Digest diffId, long size) : StagedLayer
    {
        private int _done;

        public OverlayLayerStore Owner => owner;
        public string TempDir => tempDir;
        public bool Done => Volatile.Read(ref _done) != 0;
        public bool Durable { get; set; }
        public override Digest DiffId => diffId;
        public override long Size => size;

        public void MarkCommitted()
        {
            Volatile.Write(ref _done, 1);
            owner._activeTemp.TryRemove(tempDir, out _);
        }

        public override void Dispose()
        {
            if (Interlocked.Exchange(ref _done, 1) == 0)
            {
                owner.DiscardTemp(tempDir);
            }
        }
    }

    private static void SyncDirectory(string dir)
    {
        var fd = FileSys.OpenDirectory(dir);
        try
        {
            FileSys.Syncfs(fd);
        }
        finally
        {
            FileSys.Close(fd);
        }
    }
}
