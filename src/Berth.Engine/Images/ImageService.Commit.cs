using Berth.Engine.Containers;
using Berth.Engine.Errors;
using Berth.Engine.Images.References;
using Berth.Engine.SystemInfo;

namespace Berth.Engine.Images;

public sealed partial class ImageService : IImageCommitter
{
    /// <summary>
    /// moby CommitImage/NewChildImage: the parent's rootfs plus the new layer (unless it is
    /// empty), the parent's history plus one entry (author, created_by = the container's command,
    /// comment), the run config as the container had it with the changes applied.
    /// </summary>
    public async Task<Digest> CommitImageAsync(CommitImageRequest request, CancellationToken cancellationToken = default)
    {
        var tag = ImageTagRules.ValidateTagRequest(request.Repo, request.Tag);
        ImageEntry parent;
        lock (_lock)
        {
            parent = _images.TryGetValue(request.ParentImage, out var p) ? p : throw DaemonException.NotFound(Messages.NoSuchImage(request.ParentImage.ToString()));
        }
        // Between unpacking the layer and recording the image, garbage collection must wait.
        BeginWrite();
        try
        {
            LayerInfo layer = await ApplyLayerAsync(parent.ChainIds.Count > 0 ? parent.ChainIds[^1] : null, request.WriteLayer, cancellationToken);
            bool empty = layer.DiffId == EmptyTarDiffId;
            var created = _time.GetUtcNow().ToUniversalTime();
            var diffIds = parent.Config.DiffIds.ToList();
            var chains = parent.ChainIds.ToList();
            if (!empty)
            {
                diffIds.Add(layer.DiffId);
                chains.Add(layer.ChainId);
            }
            var history = (parent.Config.History ?? []).ToList();
            history.Add(new HistoryEntry
            {
                Created = created,
                Author = string.IsNullOrEmpty(request.Author) ? null : request.Author,
                CreatedBy = request.CreatedBy,
                Comment = string.IsNullOrEmpty(request.Comment) ? null : request.Comment,
                EmptyLayer = empty ? true : null,
            });
            var bytes = ImageConfigWriter.Write(new NewImageConfig(
                parent.Config.Architecture ?? "amd64", parent.Config.Os ?? "linux", parent.Config.Variant, created, request.Comment ?? "",
                BuildInfo.Version, request.Config, diffIds, history)
            {
                Container = request.ContainerId,
                Author = request.Author,
            });
            var id = _content.Write(bytes);
            var config = ParseConfig(bytes);
            ImageEntry entry;
            lock (_lock)
            {
                var record = new ImageRecord(id, chains.Count > 0 ? chains[^1] : null, SizeOf(chains), config.Created, created, null);
                _store.AddImage(record, []);
                if (!_images.TryGetValue(id, out entry!))
                {
                    entry = new ImageEntry(record, config, chains);
                    _images[id] = entry;
                }
                if (tag is not null)
                {
                    AddTag(entry, tag);
                }
            }
            if (tag is not null)
            {
                Publish("tag", id, tag.FamiliarString, entry.Labels);
            }
            return id;
        }
        finally
        {
            EndWrite();
        }
    }

    /// <summary>The digest of an empty tar (two zero blocks): a commit without changes adds no layer.</summary>
    private static readonly Digest EmptyTarDiffId = Digest.Parse("sha256:5f70bf18a086007016e948b04aed3b82103a36bea41755b6cddfaf10ace3c6ef");

    private async Task<LayerInfo> ApplyLayerAsync(Digest? parentChain, Action<Stream> writeLayer, CancellationToken cancellationToken)
    {
        var pipe = new System.IO.Pipelines.Pipe(new System.IO.Pipelines.PipeOptions(pauseWriterThreshold: 4 << 20, resumeWriterThreshold: 2 << 20, useSynchronizationContext: false));
        Task producer = Task.Run(() =>
        {
            try
            {
                using (Stream stream = pipe.Writer.AsStream(leaveOpen: true))
                {
                    writeLayer(stream);
                }
                pipe.Writer.Complete();
            }
            catch (Exception e)
            {
                pipe.Writer.Complete(e);
            }
        }, CancellationToken.None);
        try
        {
            await using Stream reader = pipe.Reader.AsStream();
            return await _layers.ApplyAsync(parentChain, reader, null, cancellationToken);
        }
        finally
        {
            await producer;
        }
    }
}
