namespace Berth.Engine.Networks;

/// <summary>
/// Where inspect and list learn a running container's ports (implemented by port publishing):
/// NetworkSettings.Ports as dockerd shows it — every exposed port, null when not published,
/// else its host bindings. Null when the container has no bridge endpoint carrying ports
/// (not running, host, none): then inspect shows {} as dockerd does.
/// </summary>
public interface IPublishedPortSource
{
    IReadOnlyDictionary<string, IReadOnlyList<PublishedPort>?>? PortMap(string containerId);
}
