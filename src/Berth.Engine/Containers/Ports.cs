using Berth.Engine.Networks;

namespace Berth.Engine.Containers;

public sealed partial class ContainerService
{
    /// <summary>Port publishing (Berth.Networking); null: no container shows ports.</summary>
    public IPublishedPortSource? PublishedPorts { get; set; }

    /// <summary>Only a running container has ports to show (dockerd clears them on stop).</summary>
    private IReadOnlyDictionary<string, IReadOnlyList<PublishedPort>?>? PortMapOf(ContainerRecord record) =>
        record.State.Running ? PublishedPorts?.PortMap(record.Id) : null;
}
