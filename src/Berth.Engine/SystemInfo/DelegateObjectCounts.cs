namespace Berth.Engine.SystemInfo;

/// <summary>Object counts read from the subsystems that own them (each part optional until it exists).</summary>
public sealed class DelegateObjectCounts : IObjectCounts
{
    private readonly Func<ContainerCounts>? _containers;
    private readonly Func<int>? _images;

    public DelegateObjectCounts(Func<ContainerCounts>? containers = null, Func<int>? images = null)
    {
        _containers = containers;
        _images = images;
    }

    public ContainerCounts Containers() => _containers?.Invoke() ?? default;

    public int Images() => _images?.Invoke() ?? 0;
}
