using Berth.Engine.Errors;
using Berth.Engine.Images.Archive;
using Berth.Engine.Images.References;

namespace Berth.Engine.Images;

public sealed partial class ImageService
{
    /// <summary>
    /// Where load spools archives: the host sets it to a directory on the data-root's file system
    /// (archives can be large; /tmp may be a small tmpfs).
    /// </summary>
    public string TempRoot { get; set; } = Path.Combine(Path.GetTempPath(), "berth-load");

    /// <summary>
    /// moby tarexport Load, all or nothing: the archive is spooled (confined), its layout read and
    /// every digest checked, every layer applied with its expected DiffID and every config stored;
    /// only then are images and tags recorded, in one step. On failure, garbage collection removes
    /// the layers and blobs this load created (it is deferred while another import is in flight).
    /// </summary>
    public async Task LoadAsync(Stream archive, bool progress, Func<LoadReport, CancellationToken, Task> report, CancellationToken cancellationToken)
    {
        bool committed = false;
        BeginWrite();
        try
        {
            await using var tar = await ArchiveDecompression.OpenAsync(archive, cancellationToken);
            using var spool = await ArchiveSpool.ReadAsync(tar, TempRoot, cancellationToken);
            var items = ArchiveLayout.Read(spool, PlatformMatcher.Host);
            var chains = new List<IReadOnlyList<Digest>>();
            foreach (var item in items)
            {
                chains.Add(await ApplyLayersAsync(item, progress ? report : null, cancellationToken));
                _content.Write(item.ConfigBytes, item.ConfigDigest);
            }
            var lines = Register(items, chains);
            committed = true;
            foreach (var item in items)
            {
                Publish("load", item.ConfigDigest, item.ConfigDigest.ToString(), item.Config.Config?.Labels);
            }
            foreach (var line in lines)
            {
                await report(LoadReport.Line(line), cancellationToken);
            }
        }
        finally
        {
            EndWrite();
            if (!committed)
            {
                CollectGarbage();
            }
        }
    }

    /// <summary>Applies the layers missing locally, bottom first, each checked against its DiffID.</summary>
    private async Task<IReadOnlyList<Digest>> ApplyLayersAsync(LoadItem item, Func<LoadReport, CancellationToken, Task>? report, CancellationToken cancellationToken)
    {
        var chainIds = new List<Digest>();
        Digest? parent = null;
        var diffIds = item.Config.DiffIds;
        for (int i = 0; i < diffIds.Count; i++)
        {
            var chainId = Digest.Chain(parent, diffIds[i]);
            if (_layers.Get(chainId) is null)
            {
                var file = item.Layers[i];
                await using var stream = new FileStream(file.FilePath, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20, FileOptions.Asynchronous | FileOptions.SequentialScan);
                Stream source = report is null ? stream : new LoadProgressStream(stream, file.Size, diffIds[i].Hex[..12], report);
                var layer = await _layers.ApplyAsync(parent, source, diffIds[i], cancellationToken);
                if (layer.DiffId != diffIds[i] || layer.ChainId != chainId)
                {
                    throw DaemonException.InvalidParameter($"invalid diffID for layer {i}: expected \"{diffIds[i]}\", got \"{layer.DiffId}\"");
                }
            }
            chainIds.Add(chainId);
            parent = chainId;
        }
        return chainIds;
    }

    /// <summary>Records the images and points their tags at them; returns the lines dockerd prints.</summary>
    private List<string> Register(IReadOnlyList<LoadItem> items, List<IReadOnlyList<Digest>> chains)
    {
        var lines = new List<string>();
        var now = _time.GetUtcNow().ToUniversalTime();
        lock (_lock)
        {
            for (int n = 0; n < items.Count; n++)
            {
                var item = items[n];
                var id = item.ConfigDigest;
                if (!_images.TryGetValue(id, out var entry))
                {
                    var chainIds = chains[n];
                    var record = new ImageRecord(id, chainIds.Count > 0 ? chainIds[^1] : null, SizeOf(chainIds), item.Config.Created, now, null);
                    _store.AddImage(record, []);
                    entry = new ImageEntry(record, item.Config, chainIds);
                    _images[id] = entry;
                }
                foreach (var tag in item.Tags)
                {
                    if (_refs.TryGetValue(tag.ToString(), out var old) && old.ImageId != id)
                    {
                        lines.Add($"The image {tag.FamiliarString} already exists, renaming the old one with ID {old.ImageId} to empty string");
                    }
                    AddTag(entry, tag);
                    lines.Add($"Loaded image: {tag.FamiliarString}");
                }
                if (item.Tags.Count == 0)
                {
                    lines.Add($"Loaded image ID: {id}");
                }
            }
        }
        return lines;
    }

    /// <summary>Reports "Loading layer" progress as the layer store reads the spooled file.</summary>
    private sealed class LoadProgressStream(Stream inner, long total, string id, Func<LoadReport, CancellationToken, Task> report) : Stream
    {
        private readonly long _step = Math.Max(total / 50, 512 * 1024);
        private long _current;
        private long _reported = -1;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => total;
        public override long Position { get => _current; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count)
        {
            int n = inner.Read(buffer, offset, count);
            _current += n;
            return n;
        }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            int n = await inner.ReadAsync(buffer, cancellationToken);
            _current += n;
            if (_current - _reported >= _step || (n == 0 && _reported != _current))
            {
                _reported = _current;
                await report(new LoadReport(null, id, _current, total), cancellationToken);
            }
            return n;
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
