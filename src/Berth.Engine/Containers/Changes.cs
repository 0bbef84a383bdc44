using Berth.Engine.Errors;

namespace Berth.Engine.Containers;

public sealed partial class ContainerService
{
    /// <summary>
    /// GET /containers/{id}/changes (docker diff): the upper directory against the image's layers.
    /// dockerd answers null when nothing changed.
    /// </summary>
    public IReadOnlyList<FileChange> Changes(string reference)
    {
        ContainerRecord record = Find(reference).Record;
        var lowers = new List<string>();
        for (Images.Digest? chain = record.TopChainId is { } top ? Images.Digest.Parse(top) : null; chain is { } c;)
        {
            Images.LayerInfo layer = _layers.Get(c) ?? throw DaemonException.NotFound(Messages.LayerNotFound(c));
            lowers.Add(layer.DiffPath);
            chain = layer.ParentChainId;
        }
        try
        {
            return FileOps.Changes(_layers.ReadWriteDiffPath(record.Id), lowers);
        }
        catch (IOException e)
        {
            throw DaemonException.System(e.Message, e);
        }
    }
}
