using Berth.Engine.Errors;
using Berth.Engine.Images;

namespace Berth.Daemon.Hosting;

/// <summary>
/// Stand-in until the overlay layer store is merged: holds no layers, so lists are empty and
/// anything that needs to unpack a layer answers Unavailable. Replaced in the composition root.
/// </summary>
internal sealed class PendingLayerStore : ILayerStore
{
    private const string Message = "the overlay layer store is not available in this build";

    public Task<LayerInfo> ApplyAsync(Digest? parentChainId, Stream layerTar, Digest? expectedDiffId, CancellationToken cancellationToken) =>
        throw DaemonException.Unavailable(Message);

    public LayerInfo? Get(Digest chainId) => null;

    public IReadOnlyList<LayerInfo> List() => [];

    public Stream OpenTar(Digest chainId) => throw DaemonException.NotFound(Message);

    public long Collect(IReadOnlySet<Digest> keep) => 0;

    public void CreateReadWrite(string id, Digest? parentChainId) => throw DaemonException.Unavailable(Message);

    public MountSpec ReadWriteMount(string id, string target) => throw DaemonException.Unavailable(Message);

    public string ReadWriteDiffPath(string id) => throw DaemonException.Unavailable(Message);

    public void RemoveReadWrite(string id) => throw DaemonException.Unavailable(Message);
}
